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
            SparkSession.Builder b = Fanout.sessionBuilder(slots, 1).appName(appName).master(master)
                    .config("spark.ui.showConsoleProgress", "false") // fanout draws its own progress on stderr
                    // Delta Lake is bundled: its SQL (MERGE, DESCRIBE HISTORY, delta.`path`) works out of the box.
                    .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                    .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
            if (master.startsWith("local")) {
                b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
            }
            conf.forEach(b::config);
            return b.getOrCreate();
        }

        @Override
        public void stop(SparkSession spark) {
            spark.stop();
        }
    };
}
