package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.SharedSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad SQL job: exit 2, one message naming the file, statement, line (cell) and problem, and nothing executed. Each
 * file starts with an INSERT into a target table that must stay empty: the whole file is refused before any statement
 * runs. (Validation needs no parameter binding, so these hold with Delta's extension on, as here.)
 */
class SqlJobBadInputTest {
    private static final String TARGET = "sql_bad_input_target";

    @TempDir
    Path dir;

    private SparkSession spark;

    @BeforeEach
    void target() {
        spark = SharedSpark.session();
        spark.sql("DROP TABLE IF EXISTS " + TARGET);
        spark.sql("CREATE TABLE " + TARGET + " (n INT) USING parquet LOCATION '" + dir.resolve("target").toUri() + "'");
    }

    @AfterEach
    void drop() {
        spark.sql("DROP TABLE IF EXISTS " + TARGET);
    }

    private Path sql(String name, String rest) throws IOException {
        return Files.writeString(dir.resolve(name), "INSERT INTO " + TARGET + " VALUES (1);\n" + rest, StandardCharsets.UTF_8);
    }

    private void assertRejected(String expected, String... args) {
        CliHarness.Result r = CliHarness.run(args);
        assertThat(r.exit()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.err()).contains(expected).doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
        assertThat(spark.table(TARGET).count()).as("rows written to the target").isZero();
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("nope.sql");
        assertRejected("SQL file '" + missing + "' does not exist", "run", missing.toString(), "--no-history");
        assertThat(CliHarness.run("run", missing.toString(), "--no-history").err()).doesNotContain("--jars");
    }

    @Test
    void syntaxErrorNamesStatementLineAndSparksCondition() throws IOException {
        Path f = sql("syntax.sql", "\nSELEC * FROM " + TARGET);
        assertRejected(f.getFileName() + " statement 2 (line 3) does not parse: [PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'",
                "foreach", f.toString(), "--range", "n=1..3");
    }

    @Test
    void aParameterWithoutAValueInSomeItem() throws IOException {
        Path f = sql("missing.sql", "SELECT * FROM " + TARGET + " WHERE n = :n AND :region = 'eu'");
        Path items = Files.writeString(dir.resolve("items.csv"), "n,region\n1,eu\n2,\n");
        assertRejected("missing.sql: parameter 'region' (first used in statement 2, line 2) has no value in item 2 of 2 (it has n)",
                "foreach", f.toString(), "--items", items.toString());
        assertRejected("missing.sql: parameter 'n' (first used in statement 2, line 2) has no value in item 1 (it has region)",
                "run", f.toString(), "-p", "region=eu");
    }

    @Test
    void positionalMarkers() throws IOException {
        Path f = sql("q.sql", "SELECT * FROM " + TARGET + " WHERE n = ?");
        assertRejected("q.sql statement 2 (line 2): positional '?' markers are not supported", "run", f.toString());
    }

    @Test
    void textSubstitutionInsideAStringLiteral() throws IOException {
        Path f = sql("dollar.sql", "SELECT * FROM " + TARGET + "\nWHERE day = '${day}'");
        assertRejected("dollar.sql statement 2 (line 3): ${day} inside a string literal is text substitution, which fanout does"
                + " not do (values would be spliced into the SQL); use a parameter marker instead: '${day}' becomes :day",
                "foreach", f.toString(), "--range", "day=2026-01-01..2026-01-02");
    }

    @Test
    void cacheCommands() throws IOException {
        Path f = sql("cache.sql", "CACHE TABLE " + TARGET);
        assertRejected("cache.sql statement 2 (line 2): CACHE TABLE is refused: Spark's cache is shared by every run",
                "run", f.toString());
    }

    @Test
    void aNotebookCellInAnotherLanguage() throws IOException {
        Path f = Files.writeString(dir.resolve("nb.sql"), String.join("\n", "-- Databricks notebook source",
                "INSERT INTO " + TARGET + " VALUES (1)", "", "-- COMMAND ----------", "", "-- MAGIC %python",
                "-- MAGIC spark.sql('DROP TABLE x')", ""));
        assertRejected("nb.sql cell 2 (line 6) is a %python cell: fanout runs SQL only", "run", f.toString());
    }

    @Test
    void anUnclosedString() throws IOException {
        Path f = sql("open.sql", "SELECT 'abc FROM " + TARGET + ";\nSELECT 2");
        assertRejected("open.sql statement 2 (line 2): a string starting with ' is not closed", "run", f.toString());
    }

    @Test
    void aScriptAmongOtherStatements() throws IOException {
        Path f = sql("script.sql", "BEGIN\n  SELECT 1;\nEND;");
        assertRejected("script.sql statement 2 (line 2): a BEGIN … END script must be the only statement of the file",
                "run", f.toString());
    }

    @Test
    void aTableThatDoesNotExistIsARunFailureNotBadInputButStopsAtThatStatement() throws IOException {
        Path f = sql("later.sql", "SELECT * FROM no_such_table;\nINSERT INTO " + TARGET + " VALUES (2)");
        CliHarness.Result r = CliHarness.run("run", f.toString(), "--no-history");
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("later.sql statement 2 (line 2) failed: [TABLE_OR_VIEW_NOT_FOUND]").contains("SQLSTATE: 42P01");
        assertThat(spark.table(TARGET).collectAsList()).extracting(row -> row.getInt(0)).containsExactly(1);
    }
}
