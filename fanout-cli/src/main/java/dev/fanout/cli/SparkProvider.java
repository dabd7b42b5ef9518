package dev.fanout.cli;

import dev.fanout.Fanout;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Starts (and stops) the Spark session a command runs on. */
public interface SparkProvider {
    SparkSession start(String appName, String master, int slots, Map<String, String> conf);

    void stop(SparkSession spark);

    /** A new session in FAIR mode with one pool per slot, with Delta Lake; the user's {@code --conf} settings win. */
    SparkProvider EMBEDDED = new SparkProvider() {
        @Override
        public SparkSession start(String appName, String master, int slots, Map<String, String> conf) {
            // Settings given to spark-submit (system properties) win over fanout's own choices below.
            org.apache.spark.SparkConf submitted = new org.apache.spark.SparkConf();
            java.util.Map<String, String> all = new java.util.LinkedHashMap<>(conf);
            if (conf.containsKey("spark.jars") && submitted.contains("spark.jars")) {
                // under spark-submit its jars (the application jar among them) must reach the executors too
                all.put("spark.jars", submitted.get("spark.jars") + "," + conf.get("spark.jars"));
            }
            boolean delta = onClasspath("io.delta.sql.DeltaSparkSessionExtension") && !submitted.contains("spark.sql.extensions")
                    && !conf.containsKey("spark.sql.extensions");
            if (delta) {
                // Delta Lake is bundled with the CLI: its SQL (MERGE, DESCRIBE HISTORY, delta.`path`) works out of the box.
                // Given to sessionBuilder, which puts fanout's parameter-binding extension after it (Delta's parser
                // drops the values of spark.sql(text, args)).
                all.put("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
            }
            SparkSession.Builder b = Fanout.sessionBuilder(slots, 1, all).appName(appName).master(master)
                    .config("spark.ui.showConsoleProgress", "false"); // fanout draws its own progress on stderr
            if (delta) {
                b.config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
            }
            if (master.startsWith("local") || loopbackCluster(master)) {
                b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
            }
            if (master.startsWith("spark://") && !submitted.contains("spark.executor.extraClassPath")
                    && !submitted.contains("spark.submit.deployMode") && !conf.containsKey("spark.executor.extraClassPath")) {
                // Executors of a standalone cluster need the job's classes: give them this JVM's classpath (absolute
                // paths: executors run in the workers' work directories). The user's --jars are shipped by spark.jars.
                b.config("spark.executor.extraClassPath", absoluteClassPath());
            }
            return b.getOrCreate();
        }

        @Override
        public void stop(SparkSession spark) {
            spark.stop();
        }
    };

    private static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, SparkProvider.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** A standalone master on this machine's loopback: the driver must then be reachable on 127.0.0.1 too. */
    static boolean loopbackCluster(String master) {
        return master.startsWith("spark://127.0.0.1:") || master.startsWith("spark://localhost:");
    }

    /** This JVM's classpath with every entry made absolute. */
    static String absoluteClassPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !e.isBlank())
                .map(e -> java.nio.file.Path.of(e).toAbsolutePath().normalize().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }
}
