package dev.fanout.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.Attempt;
import dev.fanout.BadInputException;
import dev.fanout.BatchCost;
import dev.fanout.ErrorInfo;
import dev.fanout.FailurePolicy;
import dev.fanout.Outcome;
import dev.fanout.Parallelism;
import dev.fanout.RunResult;
import dev.fanout.SparkMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link HistoryStore} does, run against each implementation by a subclass: the latest run of an item
 * decides its state and parameters, counts have every state, a batch is SUCCEEDED once all its items are, specs and
 * executions are kept, and writes that make no sense are refused.
 */
public abstract class HistoryStoreContract {
    public static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    public static final BatchSpec SPEC = new BatchSpec("com.example.Job", "--range", Parallelism.fixed(2), null, 0,
            FailurePolicy.CONTINUE, null, Map.of(), null);

    protected HistoryStore store;

    /** A new, empty store; closed after each test. */
    protected abstract HistoryStore newStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    public static RunResult run(String batch, int index, Outcome outcome, int attempts, long startMillis) {
        return run(batch, index, Map.of("day", "d" + index), outcome, attempts, startMillis);
    }

    public static RunResult run(String batch, int index, Map<String, String> params, Outcome outcome, int attempts,
                                long startMillis) {
        List<Attempt> list = new ArrayList<>();
        for (int n = 1; n <= attempts; n++) {
            Outcome o = n < attempts ? Outcome.FAILED : outcome;
            ErrorInfo e = o == Outcome.SUCCEEDED ? null : new ErrorInfo("java.io.IOException", "boom " + index + "/" + n, "trace");
            Instant s = T0.plusMillis(startMillis + (n - 1) * 100L);
            list.add(new Attempt(n, "fanout-x-" + index + "-a" + n, index % 3, s, s.plusMillis(90), o, e,
                    new SparkMetrics(1, 2, 8, 40 + n, 1000, 4096, 100, 10, 10, 0, 2_000_000L + n, 500_000L)));
        }
        return new RunResult(index, batch + "-" + index, params, outcome, outcome == Outcome.SUCCEEDED ? "v" + index : null,
                list, list.get(0).startedAt(), list.get(list.size() - 1).endedAt(), list.get(list.size() - 1).error());
    }

    public static List<Map<String, String>> items(int n) {
        List<Map<String, String>> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(Map.of("day", "d" + i));
        }
        return items;
    }

    @Test
    void keepsEachParallelismChangeOfAnExecutionWithItsReason() {
        store.createBatch("pc", "Job", SPEC, items(2), T0);
        int first = store.startExecution("pc", SPEC, 2, 4, T0);
        int second = store.startExecution("pc", SPEC, 2, 4, T0.plusSeconds(60));
        var up = new dev.fanout.FanoutListener.ParallelismChange(2, 4, "+38% runs/s", T0.plusSeconds(10));
        var down = new dev.fanout.FanoutListener.ParallelismChange(4, 3, "-12% runs/s at 4, back to 3", T0.plusSeconds(20));
        store.recordParallelismChange("pc", first, up);
        store.recordParallelismChange("pc", first, down);
        assertThat(store.parallelismChanges("pc", first)).containsExactly(up, down);
        assertThat(store.parallelismChanges("pc", second)).isEmpty();
        assertThatThrownBy(() -> store.recordParallelismChange("nope", 1, up)).isInstanceOf(HistoryException.class);
    }

    @Test
    void keepsWhereTheTimeWentPerAttemptAndPerExecution() {
        store.createBatch("b", "Job", SPEC, items(2), T0);
        int first = store.startExecution("b", SPEC, 2, 4, T0);
        RunResult twice = run("b", 0, Outcome.SUCCEEDED, 2, 0);
        store.recordRun("b", first, twice);
        assertThat(store.require("b").executions().get(0).cost()).as("running: not measured yet").isNull();
        BatchCost cost = new BatchCost(9_000_000_000L, 4_000_000_000L, 3_000_000_000L, 3500, 700_000_000L,
                6_000_000_000L, 2, 4, true);
        store.endExecution("b", first, ExecutionState.FAILED, T0.plusSeconds(6), cost);
        int second = store.startExecution("b", SPEC, 2, 4, T0.plusSeconds(10));
        store.endExecution("b", second, ExecutionState.FAILED, T0.plusSeconds(11)); // ended without a cost

        RunResult back = store.items("b").get(0).run();
        assertThat(back.attempts()).extracting(a -> a.metrics().driverCpuNanos()).containsExactly(2_000_001L, 2_000_002L);
        assertThat(back.metrics()).isEqualTo(twice.metrics());
        assertThat(back.metrics().waitNanos()).isEqualTo(1_000_000L);
        List<Execution> executions = store.require("b").executions();
        assertThat(executions.get(0).cost()).isEqualTo(cost);
        assertThat(executions.get(0).cost().driverBound()).isFalse(); // 9 CPU-s of which 6 driver in 6 s on 2 cores: 50%
        assertThat(executions.get(1).cost()).isNull();
    }

    @Test
    void recordsEveryRunWithItsAttemptsAndKnowsTheLatestStateOfEachItem() {
        store.createBatch("b1", "Job", SPEC, items(4), T0);
        int first = store.startExecution("b1", SPEC, 2, 4, T0);
        assertThat(first).isEqualTo(1);
        store.recordRun("b1", first, run("b1", 0, Outcome.SUCCEEDED, 1, 0));
        store.recordRun("b1", first, run("b1", 1, Outcome.FAILED, 3, 10));
        store.recordRun("b1", first, run("b1", 2, Outcome.TIMED_OUT, 1, 20));
        store.endExecution("b1", first, ExecutionState.FAILED, T0.plusSeconds(5));

        BatchRecord b = store.batch("b1").orElseThrow();
        assertThat(b.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(b.counts()).containsOnlyKeys(ItemState.values())
                .containsEntry(ItemState.SUCCEEDED, 1L).containsEntry(ItemState.FAILED, 1L)
                .containsEntry(ItemState.TIMED_OUT, 1L).containsEntry(ItemState.PENDING, 1L)
                .containsEntry(ItemState.CANCELLED, 0L).containsEntry(ItemState.SKIPPED, 0L);
        List<ItemRecord> items = store.items("b1");
        assertThat(items).extracting(ItemRecord::state)
                .containsExactly(ItemState.SUCCEEDED, ItemState.FAILED, ItemState.TIMED_OUT, ItemState.PENDING);
        assertThat(items.get(3).run()).isNull();
        assertThat(items.get(3).execution()).isZero();
        assertThat(items.get(3).params()).containsEntry("day", "d3");
        RunResult failed = items.get(1).run();
        assertThat(failed.attempts()).hasSize(3).extracting(Attempt::number).containsExactly(1, 2, 3);
        assertThat(failed.error().message()).isEqualTo("boom 1/3");
        assertThat(failed.metrics().tasks()).isEqualTo(24);
        assertThat(failed.params()).containsEntry("day", "d1");
        assertThat(failed.startedAt()).isEqualTo(T0.plusMillis(10));

        int second = store.startExecution("b1", SPEC, 2, 4, T0.plusSeconds(60));
        assertThat(second).isEqualTo(2);
        assertThat(store.batch("b1").orElseThrow().state()).isEqualTo(ExecutionState.RUNNING);
        for (int i = 1; i < 4; i++) {
            store.recordRun("b1", second, run("b1", i, Outcome.SUCCEEDED, 1, 60_000 + i));
        }
        store.endExecution("b1", second, ExecutionState.SUCCEEDED, T0.plusSeconds(70));
        b = store.batch("b1").orElseThrow();
        assertThat(b.state()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(b.count(ItemState.SUCCEEDED)).isEqualTo(4);
        assertThat(b.count(ItemState.PENDING)).isZero();
        assertThat(b.executions()).extracting(Execution::seq).containsExactly(1, 2);
        assertThat(b.executions()).extracting(Execution::state).containsExactly(ExecutionState.FAILED, ExecutionState.SUCCEEDED);
        assertThat(b.latest().endedAt()).isEqualTo(T0.plusSeconds(70));
        assertThat(store.items("b1")).extracting(ItemRecord::execution).containsExactly(1, 2, 2, 2);
        assertThat(store.runs("b1", 1)).extracting(RunResult::index).containsExactly(0, 1, 2);
        assertThat(store.runs("b1", 2)).extracting(RunResult::index).containsExactly(1, 2, 3);
    }

    @Test
    void anExecutionThatEndsFailedLeavesTheBatchFailedEvenIfAnEarlierOneSucceededSomeItems() {
        store.createBatch("b", "Job", SPEC, items(2), T0);
        int seq = store.startExecution("b", SPEC, 1, 1, T0);
        store.recordRun("b", seq, run("b", 0, Outcome.SUCCEEDED, 1, 0));
        store.recordRun("b", seq, run("b", 1, Outcome.CANCELLED, 1, 0));
        store.endExecution("b", seq, ExecutionState.INTERRUPTED, T0.plusSeconds(1));
        BatchRecord b = store.batch("b").orElseThrow();
        assertThat(b.state()).isEqualTo(ExecutionState.INTERRUPTED);
        assertThat(b.counts()).containsEntry(ItemState.CANCELLED, 1L).containsEntry(ItemState.PENDING, 0L);
    }

    @Test
    void anItemHasTheParametersItsLatestRunRanWith() {
        Map<String, String> failing = new LinkedHashMap<>();
        failing.put("day", "2024-01-05");
        failing.put("failDay", "2024-01-05");
        store.createBatch("b", "Job", SPEC, List.of(Map.of("day", "2024-01-04", "failDay", "2024-01-05"), failing), T0);
        int first = store.startExecution("b", SPEC, 2, 2, T0);
        store.recordRun("b", first, run("b", 0, Map.of("day", "2024-01-04", "failDay", "2024-01-05"), Outcome.SUCCEEDED, 1, 0));
        store.recordRun("b", first, run("b", 1, failing, Outcome.FAILED, 1, 0));
        store.endExecution("b", first, ExecutionState.FAILED, T0.plusSeconds(1));

        // resume -p failDay=none: the run of item 1 ran with the override
        Map<String, String> overridden = new LinkedHashMap<>(failing);
        overridden.put("failDay", "none");
        int second = store.startExecution("b", SPEC.withParams(Map.of("failDay", "none")), 1, 2, T0.plusSeconds(10));
        store.recordRun("b", second, run("b", 1, overridden, Outcome.SUCCEEDED, 1, 10_000));
        store.endExecution("b", second, ExecutionState.SUCCEEDED, T0.plusSeconds(11));

        List<ItemRecord> items = store.items("b");
        assertThat(items.get(1).params()).containsExactly(Map.entry("day", "2024-01-05"), Map.entry("failDay", "none"));
        assertThat(items.get(1).run().params()).containsEntry("failDay", "none");
        assertThat(items.get(0).params()).containsEntry("failDay", "2024-01-05"); // not run again
        assertThat(store.runs("b", 1).get(1).params()).containsEntry("failDay", "2024-01-05");
        assertThat(store.runs("b", 2)).singleElement().satisfies(r -> assertThat(r.params()).containsEntry("failDay", "none"));
    }

    @Test
    void theSpecOfTheBatchAndOfEachExecutionIsKept() {
        BatchSpec spec = new BatchSpec("com.example.Daily", "items.csv", Parallelism.auto().coresPerRun(2).max(8),
                Duration.ofSeconds(30), 1, FailurePolicy.FAIL_FAST, "(?i)token", Map.of("region", "eu", "api_token", "***"),
                new BatchSpec.Launch("foreach", "local[2]", List.of("/jobs/a.jar"), Map.of("spark.sql.shuffle.partitions", "2")));
        store.createBatch("b", "Daily", spec, items(1), T0);
        store.startExecution("b", spec, 8, 4, T0);
        BatchSpec resumed = spec.withParams(Map.of("region", "us"));
        store.startExecution("b", resumed, 3, 6, T0.plusSeconds(5));

        BatchRecord b = store.batch("b").orElseThrow();
        assertThat(b.spec()).isEqualTo(spec);
        assertThat(b.itemsSource()).isEqualTo("items.csv");
        assertThat(b.job()).isEqualTo("Daily");
        assertThat(b.itemCount()).isEqualTo(1);
        assertThat(b.createdAt()).isEqualTo(T0);
        assertThat(b.executions()).extracting(Execution::spec).containsExactly(spec, resumed);
        assertThat(b.executions()).extracting(Execution::parallelism).containsExactly(8, 3);
        assertThat(b.executions()).extracting(Execution::taskSlots).containsExactly(4, 6);
        assertThat(b.executions()).extracting(Execution::pid).containsOnly(ProcessHandle.current().pid());
        assertThat(b.latest().state()).isEqualTo(ExecutionState.RUNNING);
        assertThat(b.latest().endedAt()).isNull();
    }

    @Test
    void aWorkflowRunIsListedOnceAndItsTaskBatchesUnderIt() {
        BatchSpec wf = new BatchSpec("/wf/nightly.yml", BatchSpec.WORKFLOW, Parallelism.fixed(2), null, 0,
                FailurePolicy.CONTINUE, null, Map.of("batch", "1"), null);
        store.createBatch("run", "nightly", wf, List.of(Map.of("task", "a"), Map.of("task", "b")), T0);
        store.createTaskBatch("run", "b", "run.b", "Job", SPEC, items(3), T0.plusSeconds(2));
        store.createTaskBatch("run", "a", "run.a", "Job", SPEC, items(1), T0.plusSeconds(1));
        store.createTaskBatch("run", "b", "run.b.2", "Job", SPEC, items(2), T0.plusSeconds(9));
        store.createBatch("later", "Job", SPEC, items(1), T0.plusSeconds(5));
        assertThat(store.batches(10)).extracting(BatchRecord::id).containsExactly("later", "run");
        assertThat(store.require("run").isWorkflow()).isTrue();
        assertThat(store.require("later").isWorkflow()).isFalse();
        assertThat(store.taskBatches("run")).extracting(BatchRecord::id).containsExactly("run.a", "run.b", "run.b.2");
        BatchRecord b = store.require("run.b");
        assertThat(b.isTask()).isTrue();
        assertThat(b.workflow()).isEqualTo("run");
        assertThat(b.task()).isEqualTo("b");
        assertThat(b.itemCount()).isEqualTo(3);
        assertThat(store.taskBatches("later")).isEmpty();
        // a task's run has no attempts: it keeps its own error (why it was skipped)
        int seq = store.startExecution("run", wf, 2, 2, T0);
        ErrorInfo why = new ErrorInfo("Skipped", "run_if all_success does not hold: a FAILED", null);
        store.recordRun("run", seq, new RunResult(1, "", Map.of("task", "b"), Outcome.SKIPPED, null, List.of(), null, null, why));
        assertThat(store.items("run").get(1).run().error()).isEqualTo(why);
        assertThat(store.runs("run", seq).get(0).error()).isEqualTo(why);
        assertThatThrownBy(() -> store.createTaskBatch("nope", "a", "x", "Job", SPEC, items(1), T0))
                .isInstanceOf(HistoryException.class);
    }

    @Test
    void batchesAreListedNewestFirstUpToTheLimit() {
        store.createBatch("old", "Job", SPEC, items(1), T0);
        store.createBatch("new", "Job", SPEC, items(1), T0.plusSeconds(60));
        store.createBatch("mid", "Job", SPEC, items(1), T0.plusSeconds(30));
        assertThat(store.batches(10)).extracting(BatchRecord::id).containsExactly("new", "mid", "old");
        assertThat(store.batches(2)).extracting(BatchRecord::id).containsExactly("new", "mid");
        BatchRecord fresh = store.batch("old").orElseThrow();
        assertThat(fresh.state()).isEqualTo(ExecutionState.RUNNING); // created, no execution yet
        assertThat(fresh.executions()).isEmpty();
        assertThat(fresh.count(ItemState.PENDING)).isEqualTo(1);
        assertThat(store.batch("nope")).isEmpty();
        assertThat(store.items("nope")).isEmpty();
    }

    @Test
    void anExecutionEndsOnceAndWritesToWhatDoesNotExistAreRefused() {
        store.createBatch("b", "Job", SPEC, items(2), T0);
        int seq = store.startExecution("b", SPEC, 1, 1, T0);
        store.endExecution("b", seq, ExecutionState.FAILED, T0.plusSeconds(1));
        assertThatThrownBy(() -> store.endExecution("b", seq, ExecutionState.SUCCEEDED, T0.plusSeconds(2)))
                .isInstanceOf(HistoryException.class).hasMessageContaining("execution 1 of batch b")
                .hasMessageContaining("cannot go from FAILED to SUCCEEDED");
        assertThat(store.batch("b").orElseThrow().latest().state()).isEqualTo(ExecutionState.FAILED);
        assertThatThrownBy(() -> store.endExecution("b", 7, ExecutionState.SUCCEEDED, T0))
                .isInstanceOf(HistoryException.class).hasMessageContaining("no execution 7");
        assertThatThrownBy(() -> store.recordRun("b", 7, run("b", 0, Outcome.SUCCEEDED, 1, 0)))
                .isInstanceOf(HistoryException.class).hasMessageContaining("no execution 7");
        assertThatThrownBy(() -> store.startExecution("nope", SPEC, 1, 1, T0))
                .isInstanceOf(HistoryException.class).hasMessageContaining("no batch nope");
        assertThatThrownBy(() -> store.createBatch("b", "Job", SPEC, items(1), T0)).isInstanceOf(HistoryException.class);
        assertThat(store.batch("b").orElseThrow().itemCount()).isEqualTo(2);
        assertThat(store.runs("b", 7)).isEmpty();
    }

    @Test
    void everyRunOfOneItemIsKeptPerExecutionWithEachAttemptsErrorAndStackTrace() {
        store.createBatch("b", "Job", SPEC, items(3), T0);
        int first = store.startExecution("b", SPEC, 2, 4, T0);
        store.recordRun("b", first, run("b", 1, Outcome.FAILED, 2, 0));
        store.recordRun("b", first, run("b", 2, Outcome.SUCCEEDED, 1, 0));
        store.endExecution("b", first, ExecutionState.FAILED, T0.plusSeconds(1));
        int second = store.startExecution("b", SPEC, 2, 4, T0.plusSeconds(10));
        store.recordRun("b", second, run("b", 1, Outcome.TIMED_OUT, 1, 10_000));

        List<ItemRecord> runs = store.itemRuns("b", 1);
        assertThat(runs).extracting(ItemRecord::execution).containsExactly(first, second);
        RunResult one = runs.get(0).run();
        assertThat(one.attempts()).hasSize(2);
        assertThat(one.attempts()).extracting(a -> a.error().message()).containsExactly("boom 1/1", "boom 1/2");
        assertThat(one.attempts()).extracting(a -> a.error().stackTrace()).containsExactly("trace", "trace");
        assertThat(one.attempts().get(1).startedAt()).isEqualTo(T0.plusMillis(100));
        assertThat(runs.get(1).state()).isEqualTo(ItemState.TIMED_OUT);
        assertThat(store.itemRuns("b", 0)).isEmpty(); // no execution reached it
        assertThat(store.itemRuns("b", 2)).hasSize(1);
        assertThat(store.itemRuns("nope", 1)).isEmpty();
    }

    @Test
    void requireNamesTheMissingBatchAndTheHistory() {
        store.createBatch("b", "Job", SPEC, items(1), T0);
        assertThat(store.require("b").id()).isEqualTo("b");
        assertThatThrownBy(() -> store.require("nope-123")).isInstanceOf(BadInputException.class)
                .hasMessage("no batch 'nope-123' in history file " + store.location()
                        + " ('fanout history' lists the batches there)");
    }
}
