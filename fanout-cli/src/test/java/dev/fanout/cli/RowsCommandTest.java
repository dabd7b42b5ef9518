package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rows.PythonCsv;
import dev.fanout.rows.TestApi;
import dev.fanout.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fanout rows} in-process against the local test API: output, summary, exit codes, bad input. */
class RowsCommandTest {
    @TempDir
    Path dir;

    private Path csv(int n, String extraColumn) throws IOException {
        StringBuilder sb = new StringBuilder("id,name" + (extraColumn == null ? "" : "," + extraColumn) + "\n");
        for (int i = 0; i < n; i++) {
            sb.append(i).append(",n").append(i).append(extraColumn == null ? "" : "," + (i % 5 == 0 ? "404" : "200")).append('\n');
        }
        Path f = dir.resolve("rows.csv");
        Files.writeString(f, sb.toString());
        return f;
    }

    @Test
    void writesEveryRowOnceWithTheMappedFieldsAndSummarises() throws IOException {
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withLatency(Duration.ofMillis(5)))) {
            Path out = dir.resolve("out.parquet");
            CliHarness.Result r = CliHarness.run("rows", "--input", csv(200, null).toString(), "--url", api.base() + "/items/{id}",
                    "--field", "price:double=/price", "--field", "code=nested.code", "-H", "X-Caller-Pid: {@pid}",
                    "--concurrency", "4", "--output", out.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).contains("rows: 200 of 200 in").contains("200 with a result, 0 in error")
                    .contains("calls: 200 (0 retries)").contains("calls/s").contains("output: " + out.toAbsolutePath());
            SparkSession spark = SharedSpark.session();
            List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
            assertThat(spark.read().parquet(out.toString()).columns())
                    .containsExactly("id", "name", "price", "code", "error", "error_kind", "attempts", "latency_ms");
            Map<String, Row> byId = new HashMap<>();
            rows.forEach(row -> assertThat(byId.put(row.getString(0), row)).isNull());
            assertThat(byId).hasSize(200);
            byId.forEach((id, row) -> {
                assertThat(row.getDouble(2)).isEqualTo(Integer.parseInt(id) * 1.5);
                assertThat(row.getString(3)).isEqualTo("c-" + id);
                assertThat(row.isNullAt(4)).isTrue();
            });
            assertThat(api.calls()).hasSize(200);
        }
    }

    @Test
    void rowsInErrorAreWrittenCountedByKindAndExitOne() throws IOException {
        try (TestApi api = TestApi.start(TestApi.Config.defaults())) {
            Path out = dir.resolve("out.csv");
            CliHarness.Result r = CliHarness.run("rows", "--input", csv(50, "code").toString(), "--url", api.base() + "/status/{code}",
                    "--output", out.toString());
            assertThat(r.exit()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains("40 with a result, 10 in error (http_404: 10)");
            List<Row> rows = SharedSpark.session().read().option("header", "true").csv(out.toString()).collectAsList();
            assertThat(rows).hasSize(50);
            assertThat(rows.stream().filter(x -> "http_404".equals(x.getAs("error_kind")))).hasSize(10);
            assertThat(rows.stream().filter(x -> "status 200".equals(x.getAs("result")))).hasSize(40);
        }
    }

    @Test
    void badInputIsRefusedNamingTheOptionBeforeAnyCall() throws IOException {
        try (TestApi api = TestApi.start(TestApi.Config.defaults())) {
            Path in = csv(5, null);
            Path out = dir.resolve("o.parquet");
            assertRejected("--url: URL template '" + api.base() + "/items/{idx}' names column 'idx', which the input does not have"
                    + " (columns: id, name)", "--input", in.toString(), "--url", api.base() + "/items/{idx}", "--output", out.toString());
            assertRejected("--input '" + dir.resolve("missing.csv") + "': no such file",
                    "--input", dir.resolve("missing.csv").toString(), "--url", api.base() + "/items/{id}", "--output", out.toString());
            assertRejected("--url: URL template 'items/{id}' must be an absolute http:// or https:// URL",
                    "--input", in.toString(), "--url", "items/{id}", "--output", out.toString());
            assertRejected("--field 'price:double': expected NAME[:TYPE]=POINTER",
                    "--input", in.toString(), "--url", api.base() + "/items/{id}", "--field", "price:double", "--output", out.toString());
            assertRejected("type 'decimal' is not one of string, long, double, boolean, json",
                    "--input", in.toString(), "--url", api.base() + "/items/{id}", "--field", "price:decimal=/price", "--output", out.toString());
            assertRejected("--field name: the output already has a column named 'name'",
                    "--input", in.toString(), "--url", api.base() + "/items/{id}", "--field", "name=/name", "--output", out.toString());
            assertRejected("--output '" + dir.resolve("o.txt") + "': cannot tell the format",
                    "--input", in.toString(), "--url", api.base() + "/items/{id}", "--output", dir.resolve("o.txt").toString());
            assertRejected("--rate must be a positive number", "--input", in.toString(), "--url", api.base() + "/items/{id}",
                    "--rate", "0", "--output", out.toString());
            assertRejected("--header 'Accept': expected 'Name: value'", "--input", in.toString(), "--url", api.base() + "/items/{id}",
                    "-H", "Accept", "--output", out.toString());
            Files.createDirectories(dir.resolve("exists.parquet"));
            assertRejected("--output '" + dir.resolve("exists.parquet") + "' exists; remove it or give --overwrite",
                    "--input", in.toString(), "--url", api.base() + "/items/{id}", "--output", dir.resolve("exists.parquet").toString());
            Path broken = dir.resolve("broken.json");
            Files.writeString(broken, "{\"id\": 1}\n{\"id\": \n");
            assertRejected("--input '" + broken + "': cannot read it as json", "--input", broken.toString(),
                    "--url", api.base() + "/items/{id}", "--output", out.toString());
            assertThat(api.calls()).isEmpty();
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void aJsonArrayInputAndAPostBodyFromColumns() throws IOException {
        try (TestApi api = TestApi.start(TestApi.Config.defaults())) {
            Path in = dir.resolve("in.json");
            Files.writeString(in, "[{\"sku\": \"a\\\"1\", \"qty\": 2},\n {\"sku\": \"b2\", \"qty\": 5}]");
            Path out = dir.resolve("out.json");
            CliHarness.Result r = CliHarness.run("rows", "--input", in.toString(), "--url", api.base() + "/echo", "--method", "POST",
                    "--body", "{\"sku\": \"{sku}\", \"qty\": {qty}}", "--field", "sku_echo=/sku", "--field", "qty_echo:long=/qty",
                    "--output", out.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            Map<String, Long> echoed = new HashMap<>();
            SharedSpark.session().read().json(out.toString()).collectAsList()
                    .forEach(x -> echoed.put(x.getAs("sku_echo"), x.getAs("qty_echo")));
            assertThat(echoed).containsExactlyInAnyOrderEntriesOf(Map.of("a\"1", 2L, "b2", 5L));
        }
    }

    @Test
    void aCsvOutputIsOneFileInInputOrderThatRfc4180ReadersReadAsWritten() throws Exception {
        try (TestApi api = TestApi.start(TestApi.Config.defaults())) {
            String tricky = "say \"hi\", then\nbye";
            StringBuilder sb = new StringBuilder("id,note\n");
            for (int i = 0; i < 120; i++) {
                sb.append(i).append(",\"").append((tricky + " " + i).replace("\"", "\"\"")).append("\"\n");
            }
            Path in = Files.writeString(dir.resolve("notes.csv"), sb.toString());
            Path out = dir.resolve("priced.csv");
            // {@partition} in a header the test API records: which partition made each call
            CliHarness.Result r = CliHarness.run("rows", "--input", in.toString(), "--url", api.base() + "/items/{id}",
                    "-H", "X-Caller-Host: p{@partition}", "--field", "price:double=/price", "--output", out.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).contains("rows: 120 of 120").contains("output: " + out.toAbsolutePath());
            assertThat(out).as("one file, not a directory of part files").isRegularFile();
            try (var siblings = Files.list(dir)) {
                assertThat(siblings).containsExactlyInAnyOrder(in, out);
            }
            List<List<String>> records = PythonCsv.read(out);
            assertThat(records.get(0)).containsExactly("id", "note", "price", "error", "error_kind", "attempts", "latency_ms");
            assertThat(records).hasSize(121);
            for (int i = 0; i < 120; i++) {
                List<String> rec = records.get(i + 1);
                assertThat(rec.get(0)).as("record %d in input order", i).isEqualTo(Integer.toString(i));
                assertThat(rec.get(1)).isEqualTo(tricky + " " + i);
                assertThat(Double.parseDouble(rec.get(2))).isEqualTo(i * 1.5);
            }
            assertThat(api.calls().stream().map(TestApi.Call::callerHost).distinct().count())
                    .as("the calls were spread over the partitions, not gathered into one task").isGreaterThan(1);

            // --output-layout spark keeps Spark's directory of part files
            Path parts = dir.resolve("parts.csv");
            CliHarness.Result s = CliHarness.run("rows", "--input", in.toString(), "--url", api.base() + "/items/{id}",
                    "--output", parts.toString(), "--output-layout", "spark");
            assertThat(s.exit()).as(s.err()).isZero();
            assertThat(parts.resolve("_SUCCESS")).exists();
        }
    }

    private static void assertRejected(String messagePart, String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "rows";
        System.arraycopy(args, 0, full, 1, args.length);
        CliHarness.Result r = CliHarness.run(full);
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(messagePart).doesNotContain("\tat ");
    }
}
