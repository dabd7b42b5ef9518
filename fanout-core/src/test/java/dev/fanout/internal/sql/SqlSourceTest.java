package dev.fanout.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Splitting and refusing, without Spark. */
class SqlSourceTest {
    private static SqlSource parse(String text) {
        return SqlSource.parse("t.sql", Path.of("/x/t.sql"), text, "h");
    }

    private static List<String> texts(String text) {
        return parse(text).statements().stream().map(SqlStatement::text).toList();
    }

    @Test
    void splitsOnSemicolonsOutsideStringsCommentsAndIdentifiers() {
        assertThat(texts("SELECT 'a;b' x; SELECT \"c;d\"; SELECT `e;f` FROM t; SELECT 1 -- ; not here\n; SELECT 2 /* ; */"))
                .containsExactly("SELECT 'a;b' x", "SELECT \"c;d\"", "SELECT `e;f` FROM t", "SELECT 1 -- ; not here",
                        "SELECT 2 /* ; */");
    }

    @Test
    void backslashEscapesQuotesButRawStringsHaveNoEscapes() {
        assertThat(texts("SELECT 'it\\'s; fine'; SELECT r'a\\'; SELECT 2")).containsExactly(
                "SELECT 'it\\'s; fine'", "SELECT r'a\\'", "SELECT 2");
        assertThat(texts("SELECT R\"x\\\"; SELECT \"q\\\";\"")).containsExactly("SELECT R\"x\\\"", "SELECT \"q\\\";\"");
    }

    @Test
    void nestedBlockCommentsAndDoubledBackquotes() {
        assertThat(texts("/* a /* b; */ c; */ SELECT 1; SELECT `a``;b` x")).containsExactly(
                "SELECT 1", "SELECT `a``;b` x");
    }

    @Test
    void commentOnlyChunksAreDroppedAndLinesPointAtTheFirstToken() {
        SqlSource s = parse("-- header\n\n/* block\n */\nSELECT 1;\n-- only a comment\n;\n\n  INSERT INTO t\n  VALUES (1);\n-- end\n");
        assertThat(s.statements()).extracting(SqlStatement::text).containsExactly("SELECT 1", "INSERT INTO t\n  VALUES (1)");
        assertThat(s.statements()).extracting(SqlStatement::line).containsExactly(5, 9);
        assertThat(s.statements()).extracting(SqlStatement::number).containsExactly(1, 2);
    }

    @Test
    void markersOutsideStringsAndCommentsNotCasts() {
        SqlStatement s = parse("SELECT ':a' s, :day d /* :c */, '5'::int + :n, x::string -- :zz\nFROM t WHERE r = :day").statements().get(0);
        assertThat(s.markers()).containsExactly("day", "n");
    }

    @Test
    void aBeginEndFileIsOneScript() {
        SqlSource s = parse("-- a script\nBEGIN\n  DECLARE x INT = :n;\n  SELECT x; SELECT 2;\nEND;\n");
        assertThat(s.statements()).hasSize(1);
        assertThat(s.statements().get(0).script()).isTrue();
        assertThat(s.statements().get(0).text()).startsWith("BEGIN").endsWith("END");
        assertThat(s.statements().get(0).markers()).containsExactly("n");
        assertThat(s.statements().get(0).line()).isEqualTo(2);
    }

    @Test
    void aScriptAmongOtherStatementsIsRefused() {
        assertThatThrownBy(() -> parse("SELECT 1;\nBEGIN SELECT 2; END;\nSELECT 3"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("t.sql statement 2 (line 2): a BEGIN … END script must be the only statement of the file;"
                        + " put it in a file of its own");
    }

    @Test
    void questionMarkersAreRefusedNamingStatementAndLine() {
        assertThatThrownBy(() -> parse("SELECT 1;\nSELECT '?' q,\n  x FROM t WHERE a = ?"))
                .hasMessage("t.sql statement 2 (line 3): positional '?' markers are not supported; name the parameter:"
                        + " WHERE day = :day");
    }

    @Test
    void dollarBracesAreRefusedInCodeAndInsideStringsButNotInComments() {
        assertThat(texts("SELECT 1 -- ${day} in a comment is fine\n")).hasSize(1);
        assertThatThrownBy(() -> parse("SELECT * FROM t\nWHERE day = '${day}'"))
                .hasMessageStartingWith("t.sql statement 1 (line 2): ${day} inside a string literal is text substitution")
                .hasMessageContaining("'${day}' becomes :day");
        assertThatThrownBy(() -> parse("SELECT ${hivevar:n}"))
                .hasMessageContaining("${hivevar:n} is text substitution").hasMessageContaining("use a parameter marker instead: :n");
    }

    @Test
    void cacheCommandsAreRefused() {
        for (String sql : List.of("CACHE TABLE t", "cache lazy table t", "UNCACHE TABLE t", "CLEAR CACHE")) {
            assertThatThrownBy(() -> parse("SELECT 1;\n" + sql)).as(sql).isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith("t.sql statement 2 (line 2): ")
                    .hasMessageContaining("is refused: Spark's cache is shared by every run");
        }
        assertThat(texts("SELECT cache FROM t; SELECT 'CLEAR CACHE'")).hasSize(2);
    }

    @Test
    void unclosedStringsAndCommentsAreNamed() {
        assertThatThrownBy(() -> parse("SELECT 1;\nSELECT 'abc;\nSELECT 2")).hasMessage(
                "t.sql statement 2 (line 2): a string starting with ' is not closed");
        assertThatThrownBy(() -> parse("SELECT 1; /* open\n SELECT 2")).hasMessage(
                "t.sql statement 2 (line 1): a /* comment is not closed");
    }

    @Test
    void anEmptyFileIsRefused() {
        assertThatThrownBy(() -> parse("-- nothing\n/* here */ ;;\n")).hasMessage("SQL file 't.sql' holds no statement");
    }

    @Test
    void aDatabricksNotebookRunsItsSqlCellsSkipsMarkdownAndReadsWidgets() {
        String nb = String.join("\n",
                "-- Databricks notebook source",
                "-- MAGIC %md",
                "-- MAGIC # Daily metrics; for one day",
                "",
                "-- COMMAND ----------",
                "",
                "CREATE WIDGET TEXT day DEFAULT \"2026-01-01\";",
                "CREATE WIDGET TEXT region DEFAULT 'eu'",
                "",
                "-- COMMAND ----------",
                "",
                "SELECT :day AS d;",
                "SELECT :region AS r",
                "",
                "-- COMMAND ----------",
                "",
                "-- MAGIC %sql",
                "-- MAGIC SELECT 3 AS three",
                "");
        SqlSource s = parse(nb);
        assertThat(s.notebook()).isTrue();
        assertThat(s.defaults()).containsExactly(java.util.Map.entry("day", "2026-01-01"), java.util.Map.entry("region", "eu"));
        assertThat(s.runnable()).extracting(SqlStatement::text).containsExactly("SELECT :day AS d", "SELECT :region AS r",
                "SELECT 3 AS three");
        assertThat(s.runnable()).extracting(SqlStatement::cell).containsExactly(3, 3, 4);
        assertThat(s.runnable()).extracting(SqlStatement::line).containsExactly(12, 13, 18);
        assertThat(s.runnable()).extracting(SqlStatement::number).containsExactly(3, 4, 5);
        assertThat(s.runnable().get(0).where("nb.sql")).isEqualTo("nb.sql statement 3 (line 12, cell 3)");
    }

    @Test
    void aNotebookCellInAnotherLanguageIsRefusedNamingCellAndLine() {
        String nb = "-- Databricks notebook source\nSELECT 1\n\n-- COMMAND ----------\n\n-- MAGIC %python\n-- MAGIC print(1)\n";
        assertThatThrownBy(() -> parse(nb)).isInstanceOf(BadInputException.class).hasMessage(
                "t.sql cell 2 (line 6) is a %python cell: fanout runs SQL only; remove the cell or turn it into %md");
    }

    @Test
    void aNotebookCellMayHoldAScriptAndProblemsNameTheCell() {
        SqlSource s = parse("-- Databricks notebook source\nSELECT 1\n-- COMMAND ----------\nBEGIN\n SELECT 2; SELECT :n;\nEND\n");
        assertThat(s.statements()).hasSize(2);
        assertThat(s.statements().get(1).script()).isTrue();
        assertThat(s.statements().get(1).where("t.sql")).isEqualTo("t.sql statement 2 (line 4, cell 2)");
        assertThatThrownBy(() -> parse("-- Databricks notebook source\nSELECT 1\n-- COMMAND ----------\nSELECT 2;\nSELECT ?"))
                .hasMessage("t.sql statement 3 (line 5, cell 2): positional '?' markers are not supported; name the"
                        + " parameter: WHERE day = :day");
    }

    @Test
    void readingAFileNamesItWhenMissingAndHashesItsBytes(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> SqlSource.read(dir.resolve("nope.sql"))).hasMessage("SQL file '" + dir.resolve("nope.sql")
                + "' does not exist");
        Path f = dir.resolve("a.sql");
        Files.writeString(f, "SELECT 1");
        SqlSource s = SqlSource.read(f);
        assertThat(s.sha256()).hasSize(64).isEqualTo(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest("SELECT 1".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        assertThat(s.fileName()).isEqualTo("a.sql");
    }
}
