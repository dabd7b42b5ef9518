package dev.fanout.examples.airline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.BatchResult;
import dev.fanout.Fanout;
import dev.fanout.Items;
import dev.fanout.Jobs;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.testing.SharedSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sql/daily_metrics.sql}, the demo's DailyMetrics as one SQL file, gives the Java job's rows for the same days,
 * and all days run in parallel with {@code REPLACE WHERE} succeed and equal the independent reference query.
 * These tests run with Delta's SQL extension (as every examples test), under which Spark 4.2 + Delta 4.4 leave
 * {@code :name} markers unbound (delta-io/delta#7640): they need the binding fix.
 */
@ExtendWith(SharedSpark.class)
class DailyMetricsSqlTest {
    private static final AirlineConfig CONFIG =
            new AirlineConfig(11L, 0.03, LocalDate.of(2026, 3, 1), 12, LocalDate.of(2026, 3, 8), 2);
    static final Path SQL = Path.of("src/main/resources/sql/daily_metrics.sql");

    @TempDir
    Path tmp;

    @Test
    void theSqlFileGivesTheJavaJobsRowsAndParallelDaysEqualTheReference(SparkSession spark) {
        Warehouse warehouse = new Warehouse(tmp.resolve("airline"));
        AirlineGenerator.generate(spark, warehouse, CONFIG);
        DailyMetrics.createTable(spark, warehouse);
        List<String> days = CONFIG.start().datesUntil(CONFIG.end().plusDays(1)).map(LocalDate::toString).toList();

        try (Fanout fanout = Fanout.builder(spark).parallelism(4).build()) {
            BatchResult java = fanout.forEach(new DailyMetrics(), DailyMetrics.params(warehouse, days));
            assertThat(java.runs()).extracting(RunResult::outcome).containsOnly(Outcome.SUCCEEDED);
            List<Row> javaRows = table(spark, warehouse).collectAsList();
            spark.sql("DELETE FROM delta.`" + warehouse.dailyMetrics() + "`");

            BatchResult sql = fanout.forEach(Jobs.sql(SQL), Items.withConstants(
                    Items.range("day", CONFIG.start(), CONFIG.end()), Map.of("warehouse", warehouse.dir().toString())));
            assertThat(sql.runs()).extracting(RunResult::outcome).containsOnly(Outcome.SUCCEEDED);
            assertThat(sql.runs().get(0).exitValue()).startsWith("[{\"day\":\"" + CONFIG.start() + "\",\"rows\":");
            Dataset<Row> written = table(spark, warehouse);
            assertThat(written.collectAsList()).containsExactlyInAnyOrderElementsOf(javaRows);
            Dataset<Row> reference = ReferenceMetrics.all(spark, warehouse);
            assertThat(written.exceptAll(reference).count()).isZero();
            assertThat(reference.exceptAll(written).count()).isZero();

            // again, days as strings (cast in the SQL), rewriting every day at once: still the same rows
            BatchResult again = fanout.forEach(Jobs.sql(SQL), Items.withConstants(Items.of(days.stream()
                    .map(d -> Map.of("day", d)).toList()), Map.of("warehouse", warehouse.dir().toString())));
            assertThat(again.runs()).extracting(RunResult::outcome).containsOnly(Outcome.SUCCEEDED);
            assertThat(table(spark, warehouse).collectAsList()).containsExactlyInAnyOrderElementsOf(javaRows);
        }
    }

    private static Dataset<Row> table(SparkSession spark, Warehouse warehouse) {
        return spark.read().format("delta").load(warehouse.dailyMetrics());
    }
}
