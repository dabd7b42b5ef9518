package dev.fanout.rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.testing.SharedSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Rows from and to files: formats, one file in input order with RFC 4180 CSV, Spark's layout, settings named, cancel. */
@ExtendWith(SharedSpark.class)
@org.junit.jupiter.api.Timeout(value = 180)
class RowFilesTest {
    private static final String TRICKY = "say \"hi\", then\nbye";

    @TempDir
    Path dir;

    /** 300 rows over 3 partitions, ordered by id; the function's result holds a quote, a comma and a line break. */
    private static RowFanout.Tracked tricky(SparkSession spark, RowFanout.Builder b) {
        Dataset<Row> in = spark.range(0, 300, 1, 3).selectExpr("cast(id as string) as id", "'  padded ' as pad");
        RowFunction fn = RowFunction.blocking(row -> TRICKY + " " + row.getString(0));
        return b.partitions(4).build().prepare(in, fn); // 4 partitions: the rows are shuffled before the calls
    }

    @Test
    void aCsvPathIsOneRfc4180FileWithTheRowsInInputOrder(SparkSession spark) throws Exception {
        Path out = dir.resolve("priced.csv");
        try (RowFanout.Tracked t = tricky(spark, RowFanout.builder())) {
            t.write(RowOutput.to(out).build());
            assertThat(t.partitions()).isEqualTo(4);
            assertThat(t.executorWait()).as("local mode: no wait for executors").isEmpty();
        }
        assertThat(out).isRegularFile();
        try (Stream<Path> siblings = Files.list(dir)) {
            assertThat(siblings).as("no temporary directory or checksum left").containsExactly(out);
        }
        // the exact bytes of the header and first record: quotes doubled, the field with , " and a line break quoted
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(text).startsWith("id,pad,result,error,error_kind,attempts,latency_ms\n"
                + "0,  padded ,\"say \"\"hi\"\", then\nbye 0\",,,1,");
        // and an independent RFC 4180 reader gets back every value as it was, in input order
        List<List<String>> records = PythonCsv.read(out);
        assertThat(records.get(0)).containsExactly("id", "pad", "result", "error", "error_kind", "attempts", "latency_ms");
        assertThat(records).hasSize(301);
        for (int i = 0; i < 300; i++) {
            List<String> r = records.get(i + 1);
            assertThat(r.get(0)).as("row %d in input order", i).isEqualTo(Integer.toString(i));
            assertThat(r.get(1)).isEqualTo("  padded ");
            assertThat(r.get(2)).isEqualTo(TRICKY + " " + i);
            assertThat(r.get(3)).isEmpty();
        }
        // fanout reads it back the same way
        List<Row> back = RowInput.of(out).read(spark).collectAsList();
        assertThat(back).hasSize(300);
        assertThat(back.get(7).<String>getAs("result")).isEqualTo(TRICKY + " 7");
    }

    @Test
    void jsonLinesAndParquetPathsAreOneFileInInputOrderTooAndADirectoryKeepsSparksLayout(SparkSession spark) throws IOException {
        Path jsonl = dir.resolve("out.jsonl");
        Path parquet = dir.resolve("out.parquet");
        Path plain = dir.resolve("parts");
        Path sparkCsv = dir.resolve("parts.csv");
        try (RowFanout.Tracked t = tricky(spark, RowFanout.builder())) {
            t.write(RowOutput.to(jsonl).build());
        }
        List<String> lines = Files.readAllLines(jsonl);
        assertThat(lines).hasSize(300);
        for (int i = 0; i < 300; i++) {
            assertThat(lines.get(i)).startsWith("{\"id\":\"" + i + "\",");
        }
        try (RowFanout.Tracked t = tricky(spark, RowFanout.builder())) {
            t.write(RowOutput.to(parquet).build());
        }
        assertThat(parquet).isRegularFile();
        assertThat(spark.read().parquet(parquet.toString()).collectAsList()).extracting(r -> r.<String>getAs("id"))
                .containsExactlyElementsOf(Stream.iterate(0, i -> i + 1).limit(300).map(String::valueOf).toList());

        RowOutput dirOut = RowOutput.to(plain).format("csv").build();
        assertThat(dirOut.layout()).isEqualTo(RowOutput.Layout.SPARK);
        RowOutput sparkOut = RowOutput.to(sparkCsv).layout(RowOutput.Layout.SPARK).build();
        try (RowFanout.Tracked t = tricky(spark, RowFanout.builder())) {
            t.write(dirOut);
        }
        try (RowFanout.Tracked t = tricky(spark, RowFanout.builder())) {
            t.write(sparkOut);
        }
        for (Path d : List.of(plain, sparkCsv)) {
            assertThat(d).isDirectory();
            assertThat(d.resolve("_SUCCESS")).exists();
            assertThat(RowInput.of(d, "csv").read(spark).count()).isEqualTo(300);
        }
    }

    @Test
    void flattenedFieldsBecomeColumnsAndACollisionNamesTheField(SparkSession spark) {
        try (TestApi api = TestApi.start(TestApi.Config.defaults())) {
            Dataset<Row> in = spark.range(0, 5, 1, 1).selectExpr("cast(id as string) as id", "'x' as name");
            HttpRowFunction fn = HttpRowFunction.get(api.base() + "/items/{id}").field("price", "/price", "double").build();
            Dataset<Row> out = RowFanout.builder().flattenFields(true).build().apply(in, fn);
            assertThat(out.columns()).containsExactly("id", "name", "price", "error", "error_kind", "attempts", "latency_ms");
            assertThat(out.collectAsList()).allSatisfy(r ->
                    assertThat(r.getDouble(2)).isEqualTo(Integer.parseInt(r.getString(0)) * 1.5));

            HttpRowFunction clash = HttpRowFunction.get(api.base() + "/items/{id}").field("name", "/name", "string").build();
            assertThatThrownBy(() -> RowFanout.builder().flattenFields(true).build().apply(in, clash))
                    .isInstanceOfSatisfying(RowSettingException.class, e -> assertThat(e.setting()).isEqualTo("field"))
                    .hasMessage("field name: the output already has a column named 'name'; give the field another name");
            assertThat(api.calls()).hasSize(5);
        }
    }

    @Test
    void inputsAreReadByTheirExtensionAndBadSettingsAreNamed(SparkSession spark) throws IOException {
        Path csv = Files.writeString(dir.resolve("in.csv"), "id,note\n007,\"a, \"\"b\"\"\nc\"\n008,plain\n");
        List<Row> rows = RowInput.of(csv).read(spark).collectAsList();
        assertThat(rows).extracting(r -> r.<String>getAs("id")).containsExactly("007", "008"); // strings, as written
        assertThat(rows.get(0).<String>getAs("note")).isEqualTo("a, \"b\"\nc");
        Path array = Files.writeString(dir.resolve("in.json"), "\uFEFF [{\"id\": 1}, {\"id\": 2}]");
        assertThat(RowInput.of(array).readAndCount(spark).count()).isEqualTo(2);
        Path lines = Files.writeString(dir.resolve("in.ndjson"), "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3}\n");
        assertThat(RowInput.of(lines).format()).isEqualTo(RowFormat.JSON);
        assertThat(RowInput.of(lines).readAndCount(spark).count()).isEqualTo(3);

        UnaryOperator<String> cli = name -> Map.of("input", "--input", "inputFormat", "--format", "output", "--output",
                "outputFormat", "--output-format", "overwrite", "--overwrite").getOrDefault(name, name);
        assertSetting(() -> RowInput.of(dir.resolve("missing.csv")), "input",
                "input '" + dir.resolve("missing.csv") + "': no such file", cli, "--input '" + dir.resolve("missing.csv") + "': no such file");
        Path txt = Files.writeString(dir.resolve("in.txt"), "x");
        assertSetting(() -> RowInput.of(txt), "input", "input '" + txt + "': cannot tell the format from its extension;"
                        + " name it .csv, .json or .parquet, or give inputFormat csv|jsonl|json|parquet", cli,
                "--input '" + txt + "': cannot tell the format from its extension; name it .csv, .json or .parquet, or give --format csv|jsonl|json|parquet");
        assertSetting(() -> RowInput.of(txt, "xml"), "inputFormat", "inputFormat 'xml': give csv, jsonl, json or parquet", cli,
                "--format 'xml': give csv, jsonl, json or parquet");
        assertSetting(() -> RowOutput.to(dir.resolve("out.txt")).build(), "output", null, cli,
                "--output '" + dir.resolve("out.txt") + "': cannot tell the format from its extension; name it .csv, .json or"
                        + " .parquet, or give --output-format csv|jsonl|json|parquet");
        assertSetting(() -> RowOutput.to(csv).build(), "output", "output '" + csv + "' exists; remove it or give overwrite",
                cli, "--output '" + csv + "' exists; remove it or give --overwrite");
        assertThat(RowOutput.to(csv).overwrite(true).build().layout()).isEqualTo(RowOutput.Layout.FILE);
        assertSetting(() -> RowFanout.builder().rate(0), "rate", "rate must be a positive number of calls per second, got 0.0",
                n -> "--" + n, "--rate must be a positive number of calls per second, got 0.0");

        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"id\": 1}\n{\"id\": \n");
        assertThatThrownBy(() -> RowInput.of(broken).readAndCount(spark))
                .isInstanceOfSatisfying(RowSettingException.class, e -> assertThat(e.setting()).isEqualTo("input"))
                .hasMessageStartingWith("input '" + broken + "': cannot read it as json: ")
                .hasMessageNotContaining("\n");
    }

    private static void assertSetting(Runnable r, String setting, String message, UnaryOperator<String> names, String rendered) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(RowSettingException.class, e -> {
            assertThat(e.setting()).isEqualTo(setting);
            if (message != null) {
                assertThat(e.getMessage()).isEqualTo(message);
            }
            assertThat(e.message(names)).isEqualTo(rendered);
        });
    }

    @Test
    void cancellingAWriteStopsTheCallsAndLeavesNoFile(SparkSession spark) throws Exception {
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withLatency(Duration.ofMillis(100)))) {
            Dataset<Row> in = spark.range(0, 2000, 1, 2).selectExpr("cast(id as string) as id");
            HttpRowFunction fn = HttpRowFunction.get(api.base() + "/items/{id}").build();
            Path out = dir.resolve("never.csv");
            RowFanout.Tracked t = RowFanout.builder().concurrency(2).partitions(2).build().prepare(in, fn);
            ExecutorService driver = Executors.newSingleThreadExecutor();
            try (t) {
                Future<?> write = driver.submit(() -> t.write(RowOutput.to(out).build()));
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (api.calls().size() < 20 && !write.isDone() && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertThat(write.isDone()).as("the write is still calling").isFalse();
                t.cancel();
                assertThatThrownBy(() -> write.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(CancellationException.class)
                        .hasMessageContaining("was not written");
                int after = api.calls().size();
                Thread.sleep(1000);
                assertThat(api.calls().size()).as("no call starts after the cancel").isLessThanOrEqualTo(after + 4);
                assertThat(after).isLessThan(200);
                assertThatThrownBy(() -> t.write(RowOutput.to(out).build())).isInstanceOf(CancellationException.class);
            } finally {
                driver.shutdownNow();
            }
            List<Path> left = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                files.forEach(left::add);
            }
            assertThat(left).as("neither the output nor the temporary directory").isEmpty();
            // the job group was the write's only: this thread's own job group is untouched
            assertThat(spark.sparkContext().getLocalProperty("spark.jobGroup.id")).isNull();
        }
    }
}
