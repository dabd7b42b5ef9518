package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.examples.airline.AirlineConfig;
import dev.fanout.examples.airline.AirlineGenerator;
import dev.fanout.examples.airline.DailyMetrics;
import dev.fanout.examples.airline.ReferenceMetrics;
import dev.fanout.examples.airline.Warehouse;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemState;
import dev.fanout.testing.SharedSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver killed with {@code kill -9} in the middle of a DailyMetrics batch, then resumed: the history kept
 * every run that had finished, the batch reads as interrupted, the resume runs only the rest, every day succeeded
 * exactly once, and the table equals the independent reference computation.
 */
class KillAndResumeIT {
    private static final int DAYS = 16;

    @TempDir
    Path dir;

    private Launched launched;

    @BeforeEach
    void launcher() {
        launched = new Launched(dir);
    }

    @AfterEach
    void stopStragglers() {
        launched.close();
    }

    @Test
    void killMinus9MidBatchThenResumeLosesNothingAndDuplicatesNothing() throws Exception {
        SparkSession spark = SharedSpark.session();
        Warehouse warehouse = new Warehouse(dir.resolve("airline"));
        AirlineConfig config = new AirlineConfig(11L, 0.01, LocalDate.of(2026, 6, 1), DAYS, LocalDate.of(2026, 6, 10), 1);
        AirlineGenerator.generate(spark, warehouse, config);
        DailyMetrics.createTable(spark, warehouse);
        Path history = dir.resolve("history.db");

        Process driver = launched.fanout("first", "foreach", DailyMetrics.class.getName(), "--range", "day=2026-06-01..2026-06-16",
                "-p", "warehouse=" + warehouse.dir(), "--parallelism", "2", "--history", history.toString(),
                "--conf", "spark.sql.shuffle.partitions=4", "--conf", "spark.databricks.delta.snapshotPartitions=2");

        // Watch the history from this process (another writer's file) until a few days are done, then kill -9.
        String batchId = null;
        long done = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        try (HistoryStore store = HistoryStore.sqlite(history)) {
            while (System.nanoTime() < deadline && driver.isAlive()) {
                List<BatchRecord> batches = store.batches(1);
                if (!batches.isEmpty()) {
                    batchId = batches.get(0).id();
                    done = batches.get(0).count(ItemState.SUCCEEDED);
                    if (done >= 3) {
                        break;
                    }
                }
                Thread.sleep(100);
            }
        }
        assertThat(driver.isAlive()).as("the batch must still run when it is killed; stderr:%n%s",
                launched.read("first.err")).isTrue();
        assertThat(batchId).isNotNull();
        new ProcessBuilder("kill", "-9", Long.toString(driver.pid())).inheritIO().start().waitFor();
        assertThat(driver.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(driver.exitValue()).isEqualTo(128 + 9);

        Set<Integer> firstSucceeded = new HashSet<>();
        try (HistoryStore store = HistoryStore.sqlite(history)) {
            BatchRecord b = store.batch(batchId).orElseThrow();
            assertThat(b.state()).isEqualTo(ExecutionState.INTERRUPTED);
            assertThat(b.latest().endedAt()).isNotNull();
            assertThat(b.count(ItemState.SUCCEEDED)).isGreaterThanOrEqualTo(done).isLessThan(DAYS);
            for (RunResult r : store.runs(batchId, 1)) {
                assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
                firstSucceeded.add(r.index());
            }
            assertThat(firstSucceeded).hasSize((int) b.count(ItemState.SUCCEEDED));
        }

        CliHarness.Result listed = CliHarness.run("history", "--history", history.toString());
        assertThat(listed.out()).containsPattern(batchId + "\\s+DailyMetrics\\s+INTERRUPTED");

        Process resume = launched.fanout("resume", "resume", batchId, "--history", history.toString());
        assertThat(resume.waitFor(240, TimeUnit.SECONDS)).isTrue();
        String err = launched.read("resume.err");
        assertThat(resume.exitValue()).as(err).isZero();
        assertThat(err).contains((DAYS - firstSucceeded.size()) + " of " + DAYS + " items did not succeed");

        try (HistoryStore store = HistoryStore.sqlite(history)) {
            BatchRecord b = store.batch(batchId).orElseThrow();
            assertThat(b.state()).isEqualTo(ExecutionState.SUCCEEDED);
            assertThat(b.count(ItemState.SUCCEEDED)).isEqualTo(DAYS);
            Set<Integer> second = new HashSet<>();
            for (RunResult r : store.runs(batchId, 2)) {
                assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
                assertThat(second.add(r.index())).isTrue();
            }
            // exactly once: the resume ran precisely the items the first execution had not finished
            Set<Integer> all = new HashSet<>(firstSucceeded);
            all.addAll(second);
            assertThat(all).hasSize(DAYS);
            assertThat(second).doesNotContainAnyElementsOf(firstSucceeded);
            assertThat(store.items(batchId)).extracting(ItemRecord::state).containsOnly(ItemState.SUCCEEDED);
        }

        Dataset<Row> table = spark.read().format("delta").load(warehouse.dailyMetrics());
        Dataset<Row> reference = ReferenceMetrics.all(spark, warehouse);
        assertThat(table.count()).isEqualTo(reference.count());
        assertThat(table.exceptAll(reference).count()).isZero();
        assertThat(reference.exceptAll(table).count()).isZero();
        assertThat(table.select("flight_day").distinct().count()).isEqualTo(DAYS);
    }
}
