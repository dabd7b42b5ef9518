package dev.fanout.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.Fanout;
import dev.fanout.JobContext;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameterized SQL on a session built as fanout builds them ({@link Fanout#sessionBuilder} with Delta's extension
 * given), so with Delta's parser wrapped by fanout's: every marker Spark binds on its own is bound here too, values
 * stay data. Runs in its own JVM with Delta (the {@code sql-binding} group).
 */
@Tag("sql-binding")
class BindingDeltaTest {
    private static final String DELTA = "io.delta.sql.DeltaSparkSessionExtension";
    private static final LocalDate D1 = LocalDate.parse("2024-01-01");
    private static final LocalDate D2 = LocalDate.parse("2024-01-02");

    @TempDir
    static Path warehouse;

    private static SparkSession root;
    private SparkSession spark;

    @BeforeAll
    static void start() {
        root = Fanout.sessionBuilder(2, 1, Map.of(
                        "spark.sql.extensions", DELTA,
                        "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog"))
                .master("local[2]").appName("binding-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.databricks.delta.snapshotPartitions", "2")
                .config("spark.sql.warehouse.dir", warehouse.resolve("wh").toString())
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        root.sql("CREATE TABLE t (id INT, v STRING, day DATE) USING delta PARTITIONED BY (day)");
    }

    @AfterAll
    static void stop() {
        root.stop();
    }

    /** A run's session, as the SQL job gets it: fresh, prepared; the table holds ids 1, 2 on D1 and 3 on D2. */
    @BeforeEach
    void runSession() {
        spark = root.newSession();
        assertThat(SqlBinding.prepare(spark)).isEqualTo(BindingMode.FANOUT_PARSER);
        spark.sql("DELETE FROM t");
        spark.sql("INSERT INTO t VALUES (1, 'a', :d1), (2, 'b', :d1), (3, 'c', :d2)", Map.of("d1", D1, "d2", D2));
    }

    private static List<String> rows(org.apache.spark.sql.Dataset<Row> df) {
        return df.collectAsList().stream().map(Row::toString).collect(Collectors.toList());
    }

    private List<String> table() {
        return rows(spark.sql("SELECT id, v, day FROM t ORDER BY id"));
    }

    @Test
    void theSessionsParserIsFanoutsAroundDeltas() {
        assertThat(SqlBinding.bindingMode(root)).isEqualTo(BindingMode.FANOUT_PARSER);
        assertThat(spark.conf().get("spark.sql.variable.substitute")).isEqualTo("false");
        assertThat(spark.conf().get(SqlBinding.LEGACY_FLAG)).isEqualTo("false");
    }

    @Test
    void markersInSelectWhereAndLimit() {
        assertThat(rows(spark.sql("SELECT id FROM t WHERE day = :day AND v <> :v ORDER BY id LIMIT :n",
                Map.of("day", D1, "v", "zz", "n", 1)))).containsExactly("[1]");
        assertThat(rows(spark.sql("SELECT :i + 1 AS i, :s AS s, :d AS d", Map.of("i", 41, "s", "x", "d", D2))))
                .containsExactly("[42,x,2024-01-02]");
    }

    @Test
    void aTempViewKeepsTheBoundValue() {
        spark.sql("CREATE OR REPLACE TEMP VIEW v AS SELECT id FROM t WHERE day = :day", Map.of("day", D2));
        assertThat(rows(spark.sql("SELECT * FROM v"))).containsExactly("[3]");
    }

    @Test
    void insertReplaceWhereIsIdempotentPerDay() {
        String replace = "INSERT INTO t REPLACE WHERE day = :day SELECT 10 + id, v, day FROM t WHERE day = :day";
        spark.sql(replace, Map.of("day", D1));
        spark.sql(replace, Map.of("day", D1));
        assertThat(table()).containsExactly("[3,c,2024-01-02]", "[21,a,2024-01-01]", "[22,b,2024-01-01]");
        spark.sql("INSERT OVERWRITE t SELECT id, v, day FROM t WHERE day = :day", Map.of("day", D2));
        assertThat(table()).containsExactly("[3,c,2024-01-02]");
    }

    @Test
    void mergeDeleteAndUpdate() {
        String merge = "MERGE INTO t USING (SELECT :id AS id, :v AS v, :day AS day) s ON t.id = s.id "
                + "WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT *";
        spark.sql(merge, Map.of("id", 2, "v", "B", "day", D1));
        spark.sql(merge, Map.of("id", 4, "v", "d", "day", D2));
        spark.sql("UPDATE t SET v = :v WHERE id = :id", Map.of("v", "C", "id", 3));
        spark.sql("DELETE FROM t WHERE day = :day AND id = :id", Map.of("day", D1, "id", 1));
        assertThat(table()).containsExactly("[2,B,2024-01-01]", "[3,C,2024-01-02]", "[4,d,2024-01-02]");
    }

    @Test
    void identifierClause() {
        assertThat(rows(spark.sql("SELECT count(*) FROM IDENTIFIER(:tbl) WHERE IDENTIFIER(:col) = :day",
                Map.of("tbl", "default.t", "col", "day", "day", D1)))).containsExactly("[2]");
        spark.sql("INSERT INTO IDENTIFIER(:tbl) VALUES (:id, 'e', :day)", Map.of("tbl", "t", "id", 5, "day", D2));
        assertThat(table()).hasSize(4);
        assertThatThrownBy(() -> spark.sql("SELECT * FROM IDENTIFIER(:tbl)", Map.of("tbl", "t; DROP TABLE t")))
                .isInstanceOf(SparkThrowable.class);
        assertThat(table()).hasSize(4);
    }

    @Test
    void sessionVariableWithAMarkerAsDefault() {
        spark.sql("DECLARE VARIABLE since DATE DEFAULT :d", Map.of("d", D2));
        assertThat(rows(spark.sql("SELECT id FROM t WHERE day >= session.since"))).containsExactly("[3]");
    }

    @Test
    void aScriptWithAMarker() {
        String script = "BEGIN\n"
                + "  DECLARE i INT = 0;\n"
                + "  WHILE i < :n DO SET i = i + 1; END WHILE;\n"
                + "  SELECT i, count(*) AS c FROM t WHERE day = :day;\n"
                + "END";
        assertThat(rows(spark.sql(script, Map.of("n", 6, "day", D1)))).containsExactly("[6,2]");
    }

    @Test
    void executeImmediateBindsItsOwnAndTheOuterValues() {
        assertThat(rows(spark.sql("EXECUTE IMMEDIATE 'SELECT :x + 1' USING :v AS x", Map.of("v", 41))))
                .containsExactly("[42]");
    }

    @Test
    void injectionStringsComeBackAsData() {
        List<String> evil = List.of("x'); DROP TABLE t; --", "${spark.app.name}", "it's \"quoted\"; ;", "a\\'b",
                ":v ? --", "*/ SELECT 1 /*");
        for (String s : evil) {
            assertThat(spark.sql("SELECT :s AS s", Map.of("s", s)).first().getString(0)).isEqualTo(s);
        }
        spark.sql("INSERT INTO t VALUES (10, :s0, :day), (11, :s1, :day), (12, :s2, :day), (13, :s3, :day), "
                + "(14, :s4, :day), (15, :s5, :day)", Map.of("s0", evil.get(0), "s1", evil.get(1), "s2", evil.get(2),
                "s3", evil.get(3), "s4", evil.get(4), "s5", evil.get(5), "day", D2));
        assertThat(spark.sql("SELECT v FROM t WHERE id >= 10 ORDER BY id").collectAsList().stream()
                .map(r -> r.getString(0)).collect(Collectors.toList())).isEqualTo(evil);
        assertThat(table()).hasSize(9);
    }

    @Test
    void withVariableSubstitutionOnTheTextIsExpandedAndTheValuesAreNot() {
        SparkSession notPrepared = root.newSession(); // spark.sql.variable.substitute is on by default
        assertThat(rows(notPrepared.sql("SELECT '${spark.app.name}' AS text, :s AS value",
                Map.of("s", "${spark.app.name}")))).containsExactly("[binding-test,${spark.app.name}]");
    }

    @Test
    void markersInStringsAndCommentsAreLeftAlone() {
        Map<String, Object> args = Map.of("v", "bound");
        assertThat(rows(spark.sql("SELECT ':v' AS a, '?' AS b /* :v ? :zz */, :v AS c -- :zz", args)))
                .containsExactly("[:v,?,bound]");
        assertThat(rows(spark.sql("SELECT '5'::int + :n AS n", Map.of("n", 1)))).containsExactly("[6]");
    }

    @Test
    void aMissingValueIsTheErrorSparkGives() {
        assertThatThrownBy(() -> spark.sql("SELECT :v, :w", Map.of("v", 1)))
                .isInstanceOfSatisfying(SparkThrowable.class,
                        e -> assertThat(e.getCondition()).isEqualTo("UNBOUND_SQL_PARAMETER"))
                .hasMessageContaining("unbound parameter: w");
    }

    @Test
    void deltasOwnStatementsParseButTheirMarkersStayUnbound() {
        // not Spark's grammar: the values cannot be bound in it, the text goes to Delta's parser as written
        assertThat(spark.sql("DESCRIBE HISTORY t -- at 00:00", Map.of("unused", 1)).count()).isPositive();
        spark.sql("OPTIMIZE t WHERE day = '2024-01-01' /* :unused */", Map.of("unused", 1));
        // the limit: a marker in a statement of Delta's own grammar stays unbound
        assertThatThrownBy(() -> spark.sql("OPTIMIZE t WHERE day = :day", Map.of("day", D1)))
                .isInstanceOfSatisfying(SparkThrowable.class,
                        e -> assertThat(e.getCondition()).isEqualTo("UNBOUND_SQL_PARAMETER"));
    }

    /** A user's own job asking its run's session for parameterized SQL, through the public API. */
    static final class DayCount implements SparkJob {
        @Override
        public String run(JobContext ctx) {
            return ctx.spark().sql("SELECT count(*) FROM t WHERE day = :day AND :tag = 'x'",
                    Map.of("day", ctx.get("day", ParamType.DATE), "tag", ctx.get("tag"))).first().get(0).toString();
        }
    }

    @Test
    void aSparkJobRunByFanout() throws Exception {
        try (Fanout fanout = Fanout.builder(root).parallelism(2).build()) {
            assertThat(fanout.run(new DayCount(), Map.of("day", "2024-01-01", "tag", "x"))).isEqualTo("2");
            assertThat(fanout.run(new DayCount(), Map.of("day", "2024-01-02", "tag", "x' OR '1'='1"))).isEqualTo("0");
        }
    }
}
