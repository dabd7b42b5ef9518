package dev.fanout.examples.airline;

import dev.fanout.Fanout;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The set-based reference for docs/performance.md: {@link ReferenceMetrics} over a range of days, written to a Delta
 * table with one {@code replaceWhere}, no fanout. Prints wall time and process CPU (this JVM, start-up included) per day.
 *
 * <p>Usage (after {@code mvn -q -o -pl fanout-examples -am test-compile} and a {@code bin/fanout} build):
 * {@code java <bin/fanout's module options> -cp fanout-examples/target/test-classes:fanout-cli/target/classes:$(cat
 * fanout-cli/target/classpath.txt) dev.fanout.examples.airline.ReferenceMetricsBench WAREHOUSE FROM TO OUT}
 */
public final class ReferenceMetricsBench {
    private ReferenceMetricsBench() {}

    public static void main(String[] args) {
        Warehouse warehouse = new Warehouse(Path.of(args[0]));
        LocalDate from = LocalDate.parse(args[1]);
        LocalDate to = LocalDate.parse(args[2]);
        String out = Path.of(args[3]).toAbsolutePath().toString();
        long days = to.toEpochDay() - from.toEpochDay() + 1;
        long start = System.nanoTime();
        SparkSession spark = Fanout.sessionBuilder(1, 1, Map.of(
                        "spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension"))
                .master("local[*]").appName("reference metrics")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        try {
            long query = System.nanoTime();
            String range = "flight_day BETWEEN DATE'" + from + "' AND DATE'" + to + "'";
            ReferenceMetrics.all(spark, warehouse).where(range)
                    .write().format("delta").mode("overwrite").partitionBy("flight_day")
                    .option("replaceWhere", range).save(out);
            long end = System.nanoTime();
            double cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() / 1e9;
            System.out.printf("reference metrics, %d days: query+write %.1f s, JVM wall %.1f s, process CPU %.1f s, %.2f CPU-s per day%n",
                    days, (end - query) / 1e9, (end - start) / 1e9, cpu, cpu / days);
        } finally {
            spark.stop();
        }
    }
}
