package dev.fanout.cli;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.examples.airline.AirlineConfig;
import dev.fanout.examples.airline.AirlineGenerator;
import dev.fanout.examples.airline.ReferenceMetrics;
import dev.fanout.examples.airline.Warehouse;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import dev.fanout.testing.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fanout demo} on a small airline (the full-size first run, which generates a year, is what README's command
 * does; here the data is generated up front with the same generator, 12 days, so the demo's workflow applies a batch,
 * recomputes the days it touched and totals them in seconds).
 */
class DemoCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void eachRunAppliesTheNextBatchFileAndRecordsIt() throws Exception {
        SparkSession spark = SharedSpark.session();
        Warehouse warehouse = new Warehouse(dir.resolve("demo"));
        AirlineConfig config = new AirlineConfig(3L, 0.01, LocalDate.of(2026, 5, 1), 12, LocalDate.of(2026, 5, 9), 2);
        AirlineGenerator.generate(spark, warehouse, config);
        Path history = dir.resolve("history.db");

        CliHarness.Result first = CliHarness.run("demo", "--dir", warehouse.dir().toString(), "--parallelism", "2",
                "--history", history.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.err()).contains("reusing the data generated there (scale 0.01)")
                .contains("workflow 'airline-nightly' (" + warehouse.dir().resolve("airline.yml") + "): apply_batch -> daily_metrics -> summary")
                .contains("[apply_batch] applying batch file 1 (" + warehouse.batchFile(1) + ") to the bookings table (the first not applied yet)")
                .containsPattern("\\[apply_batch] SUCCEEDED in .*: \\d+ flight days touched \\(2026-05-\\d\\d \\.\\. 2026-05-\\d\\d\\)")
                .containsPattern("\\[daily_metrics] recomputing DailyMetrics for (\\d+) days, 2 at a time")
                .containsPattern("DailyMetrics, (\\d+) run\\(s\\) at parallelism 2 in .*: \\1 succeeded, 0 failed")
                .containsPattern("\\[summary] SUCCEEDED in .*: [23] row\\(s\\)")
                .contains("metrics: " + warehouse.dailyMetrics())
                .contains("next: 'fanout demo --dir " + warehouse.dir() + "' applies batch file 2 of 2");
        assertThat(first.out()).containsPattern("workflow airline-nightly: apply_batch SUCCEEDED, daily_metrics SUCCEEDED \\(\\d+ iterations\\), summary SUCCEEDED")
                .containsPattern("days recomputed: (\\d+) of \\1")
                .contains("Totals of the touched days (task summary):")
                .containsPattern("period +days +first_day +last_day +flights")
                .containsPattern("\\n  flown +\\d+ 2026-05-0\\d")
                .containsPattern("\\n  all +\\d+ 2026-05-")
                .containsPattern("Top routes by revenue on 2026-05-(09|1\\d):")
                .containsPattern("On 2026-05-0[1-8] \\(flown\\): \\d+ flights, [\\d.]+% departed");

        // the history: one workflow run, its three tasks succeeded; the commands to look at it and to run it again
        String runId;
        List<String> days;
        try (HistoryStore store = HistoryStore.sqlite(history)) {
            List<BatchRecord> runs = store.batches(10);
            assertThat(runs).hasSize(1);
            BatchRecord run = runs.get(0);
            assertThat(run.isWorkflow()).isTrue();
            assertThat(run.job()).isEqualTo("airline-nightly");
            assertThat(run.spec().job()).isEqualTo(warehouse.dir().resolve("airline.yml").toString());
            assertThat(run.spec().params()).containsEntry("batch", warehouse.batchFile(1).toString())
                    .containsEntry("warehouse", warehouse.dir().toString());
            runId = run.id();
            List<ItemRecord> tasks = store.items(runId);
            assertThat(tasks).extracting(i -> i.params().get("task")).containsExactly("apply_batch", "daily_metrics", "summary");
            assertThat(tasks).extracting(ItemRecord::state).containsOnly(ItemState.SUCCEEDED);
            days = JSON.readValue(tasks.get(0).run().exitValue(), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
            BatchRecord loop = store.taskBatches(runId).get(1);
            assertThat(loop.task()).isEqualTo("daily_metrics");
            assertThat(store.items(loop.id())).extracting(i -> i.params().get("day")).isEqualTo(days);
        }
        assertThat(days).isNotEmpty();
        assertThat(first.err()).contains("history: workflow run " + runId + " in ")
                .contains("fanout history " + runId + " --history " + history)
                .contains("fanout report " + runId + " --history " + history)
                .contains("fanout workflow run " + warehouse.dir().resolve("airline.yml") + " -p batch=" + warehouse.batchFile(1)
                        + " -p warehouse=" + warehouse.dir() + " --history " + history);

        // the recomputed days equal the reference, and only they are in the table
        Dataset<Row> metrics = spark.read().format("delta").load(warehouse.dailyMetrics());
        Dataset<Row> reference = ReferenceMetrics.all(spark, warehouse).where(col("flight_day").cast("string").isin(days.toArray()));
        long rows = metrics.count();
        assertThat(rows).isPositive().isEqualTo(reference.count());
        assertThat(metrics.exceptAll(reference).count()).isZero();
        assertThat(reference.exceptAll(metrics).count()).isZero();

        // the workflow file the demo left in --dir runs as printed
        CliHarness.Result validate = CliHarness.run("workflow", "validate", warehouse.dir().resolve("airline.yml").toString(),
                "-p", "batch=" + warehouse.batchFile(2), "-p", "warehouse=" + warehouse.dir());
        assertThat(validate.exit()).as(validate.err()).isZero();

        // The second run, with --json, applies batch file 2: its days recomputed, one JSON document on stdout.
        CliHarness.Result again = CliHarness.run("demo", "--dir", warehouse.dir().toString(), "--parallelism", "2",
                "--json", "--history", history.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.err()).contains("[apply_batch] applying batch file 2 (" + warehouse.batchFile(2) + ")")
                .contains("Top routes by revenue on").contains("Totals of the touched days")
                .contains("all 2 batch files are applied; 'fanout demo --dir " + warehouse.dir() + " --batch N' applies one again");
        List<String> days2;
        try (HistoryStore store = HistoryStore.sqlite(history)) {
            BatchRecord second = store.batches(10).get(0);
            assertThat(second.spec().params()).containsEntry("batch", warehouse.batchFile(2).toString());
            days2 = JSON.readValue(store.items(second.id()).get(0).run().exitValue(),
                    JSON.getTypeFactory().constructCollectionType(List.class, String.class));
        }
        JsonNode doc = JSON.readTree(again.out());
        assertThat(doc.get("job").asText()).isEqualTo("DailyMetrics");
        assertThat(doc.get("counts").get("SUCCEEDED").asInt()).isEqualTo(days2.size());
        // the table now holds the days of both files, equal to the reference over the bookings with both applied
        List<String> both = java.util.stream.Stream.concat(days.stream(), days2.stream()).distinct().toList();
        Dataset<Row> all = spark.read().format("delta").load(warehouse.dailyMetrics());
        Dataset<Row> reference2 = ReferenceMetrics.all(spark, warehouse).where(col("flight_day").cast("string").isin(both.toArray()));
        assertThat(all.count()).isEqualTo(reference2.count());
        assertThat(all.exceptAll(reference2).count()).isZero();
        assertThat(reference2.exceptAll(all).count()).isZero();

        // A third run has nothing new to apply: it says so and which --batch applies one again, and runs nothing.
        CliHarness.Result third = CliHarness.run("demo", "--dir", warehouse.dir().toString(), "--history", history.toString());
        assertThat(third.exit()).as(third.err()).isZero();
        assertThat(third.err()).contains("fanout demo: all 2 booking batch files in " + warehouse.dir().resolve("batches")
                + " are applied; 'fanout demo --dir " + warehouse.dir() + " --batch N' (1 to 2) applies one again");
        try (HistoryStore store = HistoryStore.sqlite(history)) {
            assertThat(store.batches(10)).hasSize(2);
        }
    }

    @Test
    void aBadBatchFileFailsTheApplyTaskAndSkipsTheRest() throws Exception {
        Warehouse warehouse = new Warehouse(dir.resolve("bad"));
        AirlineGenerator.generate(SharedSpark.session(), warehouse,
                new AirlineConfig(3L, 0.01, LocalDate.of(2026, 5, 1), 3, LocalDate.of(2026, 5, 2), 1));
        Path file = warehouse.batchFile(1);
        List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(1, lines.size())); // no header
        Path history = dir.resolve("bad-history.db");

        CliHarness.Result r = CliHarness.run("demo", "--dir", warehouse.dir().toString(), "--history", history.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).containsPattern("\\[apply_batch] FAILED in .*: .*line 1 is")
                .contains("fanout demo: applying " + file + " failed: " + file + ": line 1 is")
                .contains("[daily_metrics] SKIPPED", "[summary] SKIPPED")
                .contains("; run what did not succeed again with: fanout resume ")
                .doesNotContain("\tat ");
        assertThat(r.out()).contains("workflow airline-nightly: apply_batch FAILED, daily_metrics SKIPPED, summary SKIPPED")
                .doesNotContain("days recomputed", "Top routes");
        try (HistoryStore store = HistoryStore.sqlite(history)) {
            BatchRecord run = store.batches(10).get(0);
            assertThat(store.items(run.id())).extracting(ItemRecord::state)
                    .containsExactly(ItemState.FAILED, ItemState.SKIPPED, ItemState.SKIPPED);
        }
    }

    @Test
    void badOptionsAreRejectedBeforeAnythingStarts() throws Exception {
        Warehouse warehouse = new Warehouse(dir.resolve("small"));
        AirlineGenerator.generate(SharedSpark.session(), warehouse,
                new AirlineConfig(3L, 0.01, LocalDate.of(2026, 5, 1), 3, LocalDate.of(2026, 5, 2), 1));

        CliHarness.Result batch = CliHarness.run("demo", "--dir", warehouse.dir().toString(), "--batch", "2");
        assertThat(batch.exit()).isEqualTo(2);
        assertThat(batch.err()).contains("--batch must be between 1 and 1, got 2").doesNotContain("\tat ");

        CliHarness.Result scale = CliHarness.run("demo", "--dir", warehouse.dir().toString(), "--scale", "2");
        assertThat(scale.exit()).isEqualTo(2);
        assertThat(scale.err()).contains("--scale 2.0: --dir " + warehouse.dir() + " holds data generated with --scale 0.01");

        CliHarness.Result param = CliHarness.run("demo", "--dir", warehouse.dir().toString(), "-p", "batch=other.csv");
        assertThat(param.exit()).isEqualTo(2);
        assertThat(param.err()).contains("-p batch=other.csv: the demo sets batch itself, from --batch");

        CliHarness.Result unknown = CliHarness.run("demo", "--dir", warehouse.dir().toString(), "-p", "batchh=1");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("param 'batchh' is not a param of workflow 'airline-nightly' ("
                + warehouse.dir().resolve("airline.yml")).doesNotContain("\tat ");

        CliHarness.Result zero = CliHarness.run("demo", "--dir", dir.resolve("fresh").toString(), "--scale", "0");
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err()).contains("--scale 0.0: scale must be above 0");
        assertThat(dir.resolve("fresh")).doesNotExist();
    }
}
