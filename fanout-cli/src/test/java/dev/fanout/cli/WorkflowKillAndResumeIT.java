package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.Execution;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import dev.fanout.testing.SharedSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver of {@code fanout workflow run} killed with {@code kill -9} in the middle of a loop that writes one row per
 * iteration into a Delta table, then {@code fanout resume ID}: the run reads as interrupted, the resume runs the rest,
 * every iteration SUCCEEDED exactly once across the executions by the history, and the table equals a reference
 * computed without fanout.
 */
class WorkflowKillAndResumeIT {
    private static final int ROWS = 12;

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
    void killMinus9MidLoopThenResumeRunsEveryIterationExactlyOnceAndTheTableIsRight() throws Exception {
        Path table = dir.resolve("rows");
        Path history = dir.resolve("history.db");
        Path jar = Launched.testJobsJar(dir.resolve("testjobs.jar"));
        Path wf = Files.writeString(dir.resolve("rows.yml"), """
                name: rows
                params: {table: "%s"}
                parallelism: 2
                tasks:
                  - key: create
                    job: dev.fanout.cli.testjobs.DeltaRowJob
                    params: {table: "{{params.table}}", create: "true"}
                  - key: rows
                    depends_on: [create]
                    for_each: [{items: {range: "1..%d"}, as: n}]
                    job: dev.fanout.cli.testjobs.DeltaRowJob
                    params: {table: "{{params.table}}", n: "{{n}}", ms: "1500"}
                    retries: 2
                  - key: count
                    depends_on: [rows]
                    job: dev.fanout.cli.testjobs.DeltaRowJob
                    params: {table: "{{params.table}}", count: "true"}
                """.formatted(table, ROWS), StandardCharsets.UTF_8);

        Process driver = launched.fanout("first", "workflow", "run", wf.toString(), "--jars", jar.toString(),
                "--history", history.toString());

        // Watch the history from this process until some iterations of the loop are recorded, then kill -9.
        String runId = null;
        long done = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        try (HistoryStore store = HistoryStore.sqlite(history)) {
            while (System.nanoTime() < deadline && driver.isAlive()) {
                List<BatchRecord> runs = store.batches(1);
                if (!runs.isEmpty()) {
                    runId = runs.get(0).id();
                    done = store.taskBatches(runId).stream().filter(b -> "rows".equals(b.task()))
                            .mapToLong(b -> b.count(ItemState.SUCCEEDED)).sum();
                    if (done >= 3) {
                        break;
                    }
                }
                Thread.sleep(100);
            }
        }
        assertThat(driver.isAlive()).as("the workflow must still run when it is killed; stderr:%n%s",
                launched.read("first.err")).isTrue();
        assertThat(runId).isNotNull();
        assertThat(done).isGreaterThanOrEqualTo(3);
        new ProcessBuilder("kill", "-9", Long.toString(driver.pid())).inheritIO().start().waitFor();
        assertThat(driver.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(driver.exitValue()).isEqualTo(128 + 9);

        try (HistoryStore store = HistoryStore.sqlite(history)) {
            BatchRecord run = store.require(runId);
            assertThat(run.isWorkflow()).isTrue();
            assertThat(run.state()).isEqualTo(ExecutionState.INTERRUPTED);
            BatchRecord rows = rowsBatches(store, runId).get(0);
            assertThat(rows.count(ItemState.SUCCEEDED)).isGreaterThanOrEqualTo(done).isLessThan(ROWS);
        }
        CliHarness.Result listed = CliHarness.run("history", "--history", history.toString());
        assertThat(listed.out()).containsPattern(runId + "\\s+workflow rows\\s+INTERRUPTED");

        Process resume = launched.fanout("resume", "resume", runId, "--history", history.toString());
        assertThat(resume.waitFor(240, TimeUnit.SECONDS)).isTrue();
        String err = launched.read("resume.err");
        assertThat(resume.exitValue()).as(err).isZero();
        assertThat(err).contains("fanout: resuming workflow run " + runId).contains("fanout: task create kept");

        try (HistoryStore store = HistoryStore.sqlite(history)) {
            BatchRecord run = store.require(runId);
            assertThat(run.state()).isEqualTo(ExecutionState.SUCCEEDED);
            assertThat(store.items(runId)).extracting(ItemRecord::state).containsOnly(ItemState.SUCCEEDED);
            // every iteration of the loop: exactly one SUCCEEDED run over every execution of its task batch(es)
            Map<Integer, Integer> succeeded = new HashMap<>();
            for (BatchRecord b : rowsBatches(store, runId)) {
                for (Execution e : b.executions()) {
                    for (RunResult r : store.runs(b.id(), e.seq())) {
                        if (r.outcome() == Outcome.SUCCEEDED) {
                            succeeded.merge(r.index(), 1, Integer::sum);
                        }
                    }
                }
            }
            assertThat(succeeded).hasSize(ROWS).allSatisfy((i, n) -> assertThat(n).as("iteration %d", i).isEqualTo(1));
            BatchRecord latest = rowsBatches(store, runId).get(rowsBatches(store, runId).size() - 1);
            assertThat(store.items(latest.id())).hasSize(ROWS).extracting(ItemRecord::state).containsOnly(ItemState.SUCCEEDED);
            ItemRecord count = store.items(runId).get(2);
            assertThat(count.run().exitValue()).isEqualTo(Integer.toString(ROWS));
        }

        SparkSession spark = SharedSpark.session();
        Dataset<Row> out = spark.read().format("delta").load(table.toString()).selectExpr("n", "sq");
        Dataset<Row> reference = spark.range(1, ROWS + 1).selectExpr("id AS n", "id * id AS sq");
        assertThat(out.count()).isEqualTo(ROWS);
        assertThat(out.exceptAll(reference).count()).isZero();
        assertThat(reference.exceptAll(out).count()).isZero();
    }

    /** The task batches of the loop, oldest first. */
    private static List<BatchRecord> rowsBatches(HistoryStore store, String runId) {
        return store.taskBatches(runId).stream().filter(b -> "rows".equals(b.task())).toList();
    }
}
