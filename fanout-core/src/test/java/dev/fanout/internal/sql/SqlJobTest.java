package dev.fanout.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.BadInputException;
import dev.fanout.BatchResult;
import dev.fanout.Fanout;
import dev.fanout.Items;
import dev.fanout.Jobs;
import dev.fanout.Outcome;
import dev.fanout.RunFailedException;
import dev.fanout.RunResult;
import dev.fanout.SparkJob;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.HistoryStore;
import dev.fanout.testing.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL jobs on real local Spark without Delta's extension (fanout-core's tests have no Delta), so the binding runs
 * through Spark's own parser; the same under Delta's extension is tested where Delta is (fanout-cli, fanout-examples).
 */
@ExtendWith(SharedSpark.class)
class SqlJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private SparkJob sql(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return Jobs.sql(f);
    }

    private static Fanout fanout(SparkSession spark) {
        return Fanout.builder(spark).parallelism(2).build();
    }

    @Test
    void rangeValuesBindTypedAndOthersAsStringsAndTheLastRowsAreTheExitValue(SparkSession spark) throws Exception {
        SparkJob job = sql("typed.sql", "SELECT :day AS day, typeof(:day) AS t, :day + 1 AS next, typeof(:env) AS e;\n");
        try (Fanout fanout = fanout(spark)) {
            BatchResult r = fanout.forEach(job, Items.withConstants(
                    Items.range("day", LocalDate.parse("2026-01-30"), LocalDate.parse("2026-01-31")), Map.of("env", "prod")));
            assertThat(r.runs()).extracting(RunResult::outcome).containsOnly(Outcome.SUCCEEDED);
            assertThat(r.runs().get(1).exitValue()).isEqualTo(
                    "[{\"day\":\"2026-01-31\",\"t\":\"date\",\"next\":\"2026-02-01\",\"e\":\"string\"}]");
            assertThat(r.job()).isEqualTo("typed.sql");
            BatchResult n = fanout.forEach(sql("n.sql", "SELECT typeof(:n) AS t, :n * 2 AS twice"), Items.range("n", 4, 4));
            assertThat(n.runs().get(0).exitValue()).isEqualTo("[{\"t\":\"bigint\",\"twice\":8}]");
        }
    }

    @Test
    void injectionStringsAreBoundAsDataNeverSpliced(SparkSession spark) throws Exception {
        String table = "sqljob_inject";
        spark.sql("DROP TABLE IF EXISTS " + table);
        spark.sql("CREATE TABLE " + table + " (id INT, v STRING) USING parquet LOCATION '" + dir.resolve(table).toUri() + "'");
        SparkJob job = sql("inject.sql", "INSERT INTO " + table + " VALUES (CAST(:id AS INT), :v);\nSELECT v FROM " + table + " WHERE id = CAST(:id AS INT)");
        List<String> evil = List.of("x'); DROP TABLE " + table + "; --", "${spark.app.name}", "a\"b'c;d", "-- :id /* */");
        try (Fanout fanout = fanout(spark)) {
            for (int i = 0; i < evil.size(); i++) {
                String value = fanout.run(job, Map.of("id", Integer.toString(i), "v", evil.get(i)));
                assertThat(JSON.readTree(value).get(0).get("v").asText()).isEqualTo(evil.get(i));
            }
        }
        assertThat(spark.table(table).orderBy("id").collectAsList()).extracting(r -> r.getString(1))
                .containsExactlyElementsOf(evil);
        spark.sql("DROP TABLE " + table);
    }

    @Test
    void everyStatementRunsInOrderOnTheRunsOwnSessionAndANonFinalSelectRunsToo(SparkSession spark) throws Exception {
        SparkJob job = sql("views.sql", String.join("\n",
                "CREATE OR REPLACE TEMP VIEW mine AS SELECT CAST(:day AS DATE) AS d;",
                "SET spark.sql.shuffle.partitions = 3;",
                "SELECT * FROM mine; -- not the last: runs, its rows are not the exit value",
                "SELECT d, current_database() AS db FROM mine",
                ""));
        try (Fanout fanout = fanout(spark)) {
            BatchResult r = fanout.forEach(job, Items.of(List.of(Map.of("day", "2026-01-01"), Map.of("day", "2026-01-02"))));
            assertThat(r.runs()).extracting(RunResult::exitValue).containsExactly(
                    "[{\"d\":\"2026-01-01\",\"db\":\"default\"}]", "[{\"d\":\"2026-01-02\",\"db\":\"default\"}]");
        }
        assertThat(spark.catalog().tableExists("mine")).as("temp views stay in the run's session").isFalse();
        assertThat(spark.conf().get("spark.sql.shuffle.partitions")).isEqualTo("2");

        SparkJob failsInTheMiddle = sql("middle.sql", "SELECT 1 AS a;\nSELECT raise_error('middle ran') AS b;\nSELECT 3 AS c");
        try (Fanout fanout = fanout(spark)) {
            assertThatThrownBy(() -> fanout.run(failsInTheMiddle, Map.of())).isInstanceOf(RunFailedException.class)
                    .hasMessageContaining("middle.sql statement 2 (line 2) failed: ").hasMessageContaining("middle ran")
                    .hasMessageContaining("SQLSTATE: P0001");
        }
    }

    @Test
    void aFailingStatementStopsTheRunNamingFileStatementLineConditionAndSqlState(SparkSession spark) throws Exception {
        String table = "sqljob_stop";
        spark.sql("DROP TABLE IF EXISTS " + table);
        spark.sql("CREATE TABLE " + table + " (n INT) USING parquet LOCATION '" + dir.resolve(table).toUri() + "'");
        SparkJob job = sql("stop.sql", "INSERT INTO " + table + " VALUES (1);\n\nSELECT * FROM no_such_table;\nINSERT INTO "
                + table + " VALUES (2)");
        try (Fanout fanout = fanout(spark)) {
            assertThatThrownBy(() -> fanout.run(job, Map.of())).isInstanceOf(RunFailedException.class)
                    .hasMessageContaining("stop.sql statement 2 (line 3) failed: [TABLE_OR_VIEW_NOT_FOUND]")
                    .hasMessageContaining("SQLSTATE: 42P01").hasMessageContaining("-- in: SELECT * FROM no_such_table");
        }
        assertThat(spark.table(table).collectAsList()).extracting(r -> r.getInt(0)).containsExactly(1);
        spark.sql("DROP TABLE " + table);
    }

    @Test
    void aScriptRunsWholeAndReturnsItsLastResult(SparkSession spark) throws Exception {
        SparkJob job = sql("script.sql", String.join("\n",
                "-- a script",
                "BEGIN",
                "  DECLARE total BIGINT DEFAULT 0;",
                "  DECLARE i INT DEFAULT 0;",
                "  WHILE i < :n DO",
                "    SET total = total + i; SET i = i + 1;",
                "  END WHILE;",
                "  SELECT 'ignored' AS x;",
                "  SELECT total, :label AS label;",
                "END;"));
        try (Fanout fanout = fanout(spark)) {
            assertThat(fanout.run(job, Map.of("n", "5", "label", "sum"))).isEqualTo("[{\"total\":10,\"label\":\"sum\"}]");
        }
    }

    @Test
    void aNotebookWithMarkdownAndAWidgetDefaultRuns(SparkSession spark) throws Exception {
        SparkJob job = sql("nb.sql", String.join("\n",
                "-- Databricks notebook source",
                "-- MAGIC %md",
                "-- MAGIC # Title; with a semicolon and ${not_substituted}",
                "",
                "-- COMMAND ----------",
                "",
                "CREATE WIDGET TEXT region DEFAULT \"eu\"",
                "",
                "-- COMMAND ----------",
                "",
                "SELECT :region AS region, CAST(:day AS DATE) AS day"));
        try (Fanout fanout = fanout(spark)) {
            BatchResult r = fanout.forEach(job, Items.of(List.of(Map.of("day", "2026-02-01"),
                    Map.of("day", "2026-02-02", "region", "us"))));
            assertThat(r.runs()).extracting(RunResult::exitValue).containsExactly(
                    "[{\"region\":\"eu\",\"day\":\"2026-02-01\"}]", "[{\"region\":\"us\",\"day\":\"2026-02-02\"}]");
        }
    }

    @Test
    void dmlOnlyFilesHaveNoExitValueAndNoRowsIsAnEmptyArray(SparkSession spark) throws Exception {
        try (Fanout fanout = fanout(spark)) {
            assertThat(fanout.run(sql("ddl.sql", "CREATE OR REPLACE TEMP VIEW v AS SELECT 1 AS a; USE default"), Map.of())).isNull();
            assertThat(fanout.run(sql("none.sql", "SELECT 1 AS a WHERE false"), Map.of())).isEqualTo("[]");
        }
    }

    @Test
    void theExitValueIsCappedAndSaysItIsTruncated(SparkSession spark) throws Exception {
        try (Fanout fanout = fanout(spark)) {
            String many = fanout.run(sql("many.sql", "SELECT id FROM range(" + (SqlJob.MAX_ROWS + 10) + ")"), Map.of());
            JsonNode m = JSON.readTree(many);
            assertThat(m.get("truncated").asBoolean()).isTrue();
            assertThat(m.get("rows")).hasSize(SqlJob.MAX_ROWS);
            String wide = fanout.run(sql("wide.sql", "SELECT id, repeat('x', 20000) AS pad FROM range(100)"), Map.of());
            assertThat(wide.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(SqlJob.MAX_BYTES);
            JsonNode w = JSON.readTree(wide);
            assertThat(w.get("truncated").asBoolean()).isTrue();
            assertThat(w.get("rows").size()).isBetween(45, 52); // 1 MiB / ~20 KB a row
            assertThat(w.get("rows").get(0).get("id").asLong()).isZero();
            String exact = fanout.run(sql("exact.sql", "SELECT id, CAST(NULL AS STRING) AS s FROM range(" + SqlJob.MAX_ROWS + ")"), Map.of());
            assertThat(JSON.readTree(exact).isArray()).isTrue();
            assertThat(JSON.readTree(exact)).hasSize(SqlJob.MAX_ROWS);
            assertThat(JSON.readTree(exact).get(0).has("s")).as("nulls kept").isTrue();
        }
    }

    @Test
    void theCheckRefusesBeforeAnythingRunsAndNamesTheProblem(SparkSession spark) throws Exception {
        String table = "sqljob_check";
        spark.sql("DROP TABLE IF EXISTS " + table);
        spark.sql("CREATE TABLE " + table + " (n INT) USING parquet LOCATION '" + dir.resolve(table).toUri() + "'");
        SparkJob syntax = sql("syntax.sql", "INSERT INTO " + table + " VALUES (1);\n\nSELEC 2");
        SparkJob missing = sql("missing.sql", "INSERT INTO " + table + " VALUES (1);\nSELECT :day, :region");
        HistoryStore store = HistoryStore.inMemory();
        try (Fanout fanout = Fanout.builder(spark).parallelism(2).history(store).build()) {
            assertThatThrownBy(() -> fanout.forEach(syntax, Items.range("n", 1, 3))).isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith("syntax.sql statement 2 (line 3) does not parse: [PARSE_SYNTAX_ERROR]")
                    .hasMessageContaining("42601");
            assertThatThrownBy(() -> fanout.forEach(missing, Items.of(List.of(Map.of("day", "2026-01-01", "region", "eu"),
                    Map.of("day", "2026-01-02"))))).isInstanceOf(BadInputException.class).hasMessage(
                    "missing.sql: parameter 'region' (first used in statement 2, line 2) has no value in item 2 of 2"
                            + " (it has day); give it with -p region=VALUE, in the items, or as a --range");
            assertThat(store.batches(10)).as("nothing recorded").isEmpty();
        }
        try (Fanout fanout = fanout(spark)) { // without a history too
            assertThatThrownBy(() -> fanout.forEach(missing, Items.range("day", LocalDate.parse("2026-01-01"),
                    LocalDate.parse("2026-01-02")))).hasMessageContaining("parameter 'region'");
        }
        assertThat(spark.table(table).count()).isZero();
        spark.sql("DROP TABLE " + table);
    }

    @Test
    void theHistoryRecordsTheFilesPathAndHashAndAResumeRunsItAgain(SparkSession spark) throws Exception {
        Path f = dir.resolve("flaky.sql");
        Files.writeString(f, "SELECT CAST(:n AS INT) AS n, assert_true(:n < 3) AS ok");
        HistoryStore store = HistoryStore.inMemory();
        try (Fanout fanout = Fanout.builder(spark).parallelism(2).history(store).build()) {
            BatchResult first = fanout.forEach(Jobs.sql(f), Items.range("n", 1, 3));
            assertThat(first.runs()).extracting(RunResult::outcome).containsExactly(Outcome.SUCCEEDED, Outcome.SUCCEEDED,
                    Outcome.FAILED);
            BatchSpec spec = store.require(first.batchId()).spec();
            assertThat(spec.job()).isEqualTo(f.toAbsolutePath().normalize().toString());
            assertThat(spec.jobHash()).isEqualTo(Jobs.sourceHash(Jobs.sql(f)).orElseThrow()).hasSize(64);
            assertThat(BatchSpec.fromJson(spec.toJson()).jobHash()).isEqualTo(spec.jobHash());
            Files.writeString(f, "SELECT CAST(:n AS INT) AS n, typeof(:n) AS t");
            SparkJob again = Jobs.load(spec.job(), getClass().getClassLoader());
            assertThat(Jobs.sourceHash(again)).isNotEqualTo(spec.jobHash());
            BatchResult resumed = fanout.resume(again, first.batchId());
            assertThat(resumed.runs()).singleElement().satisfies(r -> {
                assertThat(r.index()).isEqualTo(2);
                assertThat(r.exitValue()).as("the range's type survives the resume").isEqualTo("[{\"n\":3,\"t\":\"bigint\"}]");
            });
        }
    }

    @Test
    void rowsBecomeJsonObjectsWithNestedValues(SparkSession spark) {
        List<Row> rows = spark.sql("SELECT 1 AS a, array(1,2) AS b, named_struct('x', 'y') AS c, DATE'2026-01-01' AS d,"
                + " CAST(1.50 AS DECIMAL(4,2)) AS e, CAST(12345678901234567.89 AS DECIMAL(38,2)) AS f").collectAsList();
        // decimals stay exact: a sum of money is not rounded through a double
        assertThat(SqlJob.exitValue(rows)).isEqualTo("[{\"a\":1,\"b\":[1,2],\"c\":{\"x\":\"y\"},\"d\":\"2026-01-01\",\"e\":1.5,"
                + "\"f\":12345678901234567.89}]");
    }
}
