package dev.fanout.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bug fanout's parser works around, on a session with Delta's extension and not fanout's (a notebook's, or one
 * built with plain {@code SparkSession.builder()}): Delta's parser drops the values of {@code spark.sql(text, args)}
 * (delta-io/delta#7640, apache/spark PR #58932 / SPARK-59672). <b>When {@link #deltasParserStillDropsSqlParameters}
 * fails, the bug is fixed upstream: delete it together with the workaround</b> ({@link BindingParser},
 * {@link FanoutSqlExtension}, their registration, the legacy fallback in {@link SqlBinding#prepare}). Also shows that
 * fallback: what it binds and what it does not. Its own JVM (the {@code sql-binding} group).
 */
@Tag("sql-binding")
class BindingUpstreamBugTest {
    @TempDir
    static Path warehouse;

    private static SparkSession root;

    @BeforeAll
    static void start() {
        root = SparkSession.builder().master("local[1]").appName("upstream-bug")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.warehouse.dir", warehouse.resolve("wh").toString())
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        root.stop();
    }

    @Test
    void deltasParserStillDropsSqlParameters() {
        assertThatThrownBy(() -> root.sql("SELECT :v", Map.of("v", 1)).collect())
                .isInstanceOfSatisfying(SparkThrowable.class,
                        e -> assertThat(e.getCondition()).isEqualTo("UNBOUND_SQL_PARAMETER"));
        assertThat(SqlBinding.bindingMode(root)).isEqualTo(BindingMode.UNBOUND);
    }

    @Test
    void withoutFanoutsParserARunSessionFallsBackToTheAnalyzersBinding() {
        SparkSession run = root.newSession();
        assertThat(SqlBinding.prepare(run)).isEqualTo(BindingMode.LEGACY_ANALYZER);
        assertThat(SqlBinding.bindingMode(root)).isEqualTo(BindingMode.UNBOUND); // per session: the root is untouched
        assertThat(run.sql("SELECT :v + 1", Map.of("v", 41)).first().getInt(0)).isEqualTo(42);
        // what the fallback cannot do, and fanout's parser can (BindingDeltaTest)
        assertThatThrownBy(() -> run.sql("CREATE OR REPLACE TEMP VIEW w AS SELECT :d AS d",
                Map.of("d", LocalDate.parse("2024-01-01"))))
                .isInstanceOfSatisfying(SparkThrowable.class,
                        e -> assertThat(e.getCondition()).contains("PARAMETER_MARKER_IN_UNEXPECTED_STATEMENT"));
        assertThatThrownBy(() -> run.sql("BEGIN SELECT :n; END", Map.of("n", 1)).collect())
                .isInstanceOfSatisfying(SparkThrowable.class,
                        e -> assertThat(e.getCondition()).isEqualTo("UNBOUND_SQL_PARAMETER"));
    }
}
