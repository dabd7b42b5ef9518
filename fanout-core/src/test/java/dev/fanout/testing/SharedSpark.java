package dev.fanout.testing;

import dev.fanout.Fanout;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One local SparkSession for the whole test JVM (starting one costs seconds), injected as a
 * {@link SparkSession} parameter.
 *
 * <p>By default {@code local[4]} in FAIR mode with fanout's pools at weight {@value #POOL_WEIGHT};
 * the system properties {@code fanout.test.master} and {@code fanout.test.fair=false} select another
 * master or a FIFO session (the {@code local1} test group runs in its own JVM with
 * {@code local[1]}, FIFO).
 */
public final class SharedSpark implements ParameterResolver {
    public static final int POOL_WEIGHT = 2;
    public static final int POOLS = 8;

    private static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";

    private static SparkSession session;

    private static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, SharedSpark.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    public static synchronized SparkSession session() {
        if (session == null) {
            boolean fair = !"false".equals(System.getProperty("fanout.test.fair"));
            java.util.Map<String, String> conf = new java.util.LinkedHashMap<>();
            conf.put("spark.ui.enabled", "false");
            conf.put("spark.sql.shuffle.partitions", "2");
            conf.put("spark.driver.host", "127.0.0.1");
            conf.put("spark.driver.bindAddress", "127.0.0.1");
            if (onClasspath(DELTA_EXTENSION)) { // modules whose tests use Delta tables (static confs: set them here or never)
                // Given to sessionBuilder, not set afterwards: fanout's SQL-binding parser must wrap Delta's (last in the list)
                conf.put("spark.sql.extensions", fair ? DELTA_EXTENSION
                        : dev.fanout.internal.sql.SqlBinding.withBindingExtensionLast(DELTA_EXTENSION));
                conf.put("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
                conf.put("spark.databricks.delta.snapshotPartitions", "2"); // tiny tables: not 50 tasks per snapshot
            }
            SparkSession.Builder b = fair ? Fanout.sessionBuilder(POOLS, POOL_WEIGHT, conf) : SparkSession.builder();
            if (!fair) {
                conf.forEach(b::config);
            }
            b = b.master(System.getProperty("fanout.test.master", "local[4]")).appName("fanout-tests");
            session = b.getOrCreate();
        }
        return session;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == SparkSession.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return session();
    }
}
