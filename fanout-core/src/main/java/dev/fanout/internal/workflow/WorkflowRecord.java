package dev.fanout.internal.workflow;

import dev.fanout.BadInputException;
import dev.fanout.Outcome;
import dev.fanout.Redaction;
import dev.fanout.RunResult;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import dev.fanout.internal.history.HistoryRecorder;
import dev.fanout.workflow.Task;
import dev.fanout.workflow.TaskResult;
import dev.fanout.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A workflow run in the history, and what a resume of it keeps.
 *
 * <h2>How a run is recorded</h2>
 * The run is a batch ({@link BatchSpec#WORKFLOW}) whose items are the tasks in the file's order, each item's
 * parameters {@code {task: KEY}}; when a task ends, a run of its item is recorded with the task's outcome, its value
 * as the exit value, and the id of its task batch as the run id (empty when it has none: skipped, or failed before
 * its iterations could be made). Each task's iterations are a task batch of the run
 * ({@link HistoryStore#createTaskBatch}), recorded run by run as they end. Every execution of the workflow (the first,
 * each resume) is an execution of the run's batch, so a driver killed with {@code kill -9} leaves it RUNNING with a
 * dead process, which the store reports INTERRUPTED, with every iteration that ended recorded.
 *
 * <h2>What a resume runs</h2>
 * A task runs again when its latest outcome is not SUCCEEDED, or when anything upstream of it runs again (its inputs
 * may have changed). A task that runs again and has nothing upstream that runs again, and whose iterations render
 * exactly as its task batch recorded them, runs only the iterations that did not succeed, as a new execution of that
 * task batch; otherwise it runs all its iterations in a new task batch ({@code RUN.KEY.N}). "Exactly as recorded" is
 * judged with the recorded run's params, so that a resume's {@code -p} changes the iterations it runs again, not which
 * ones it runs.
 */
public final class WorkflowRecord {
    private final HistoryStore store;
    private final String runId;
    private final Redaction redaction;
    private final HistoryRecorder recorder;
    private final int limit;
    private final int taskSlots;
    private final Map<String, ItemRecord> recorded;
    private final Map<String, BatchRecord> taskBatches;
    private final Map<String, String> recordedParams;

    private WorkflowRecord(HistoryStore store, String runId, Redaction redaction, HistoryRecorder recorder, int limit,
                           int taskSlots, Map<String, ItemRecord> recorded, Map<String, BatchRecord> taskBatches,
                           Map<String, String> recordedParams) {
        this.store = store;
        this.runId = runId;
        this.redaction = redaction;
        this.recorder = recorder;
        this.limit = limit;
        this.taskSlots = taskSlots;
        this.recorded = recorded;
        this.taskBatches = taskBatches;
        this.recordedParams = recordedParams;
    }

    static WorkflowRecord create(WorkflowRun.Context ctx, Workflow workflow, String runId) {
        List<Map<String, String>> tasks = workflow.tasks().stream().map(t -> Map.of("task", t.key())).toList();
        int limit = ctx.engine().limitNow();
        HistoryRecorder recorder = HistoryRecorder.newBatch(ctx.history(), runId, workflow.name(),
                ctx.workflowSpec().apply(workflow), tasks, ctx.settings().redaction(), limit, ctx.taskSlots());
        return new WorkflowRecord(ctx.history(), runId, ctx.settings().redaction(), recorder, limit, ctx.taskSlots(),
                Map.of(), Map.of(), Map.of());
    }

    static WorkflowRecord resume(WorkflowRun.Context ctx, Workflow workflow, RecordedRun run) {
        HistoryStore store = ctx.history();
        String runId = run.run().id();
        int limit = ctx.engine().limitNow();
        HistoryRecorder recorder = HistoryRecorder.resume(store, runId, ctx.workflowSpec().apply(workflow),
                ctx.settings().redaction(), limit, ctx.taskSlots());
        return new WorkflowRecord(store, runId, ctx.settings().redaction(), recorder, limit, ctx.taskSlots(),
                run.tasks(), run.taskBatches(), run.run().spec().params());
    }

    /** A recorded workflow run, read for a resume: each task's latest item and latest task batch. */
    public record RecordedRun(BatchRecord run, Map<String, ItemRecord> tasks, Map<String, BatchRecord> taskBatches) {
        /**
         * Reads the run {@code runId} and checks that {@code workflow} may resume it.
         *
         * @throws BadInputException not in the history, not a workflow run, still running, or other tasks
         */
        public static RecordedRun read(HistoryStore store, String runId, Workflow workflow) {
            BatchRecord run = store.require(runId);
            if (!run.isWorkflow()) {
                throw new BadInputException(runId + " is a batch of job " + run.job() + ", not a workflow run");
            }
            if (run.latest().state() == ExecutionState.RUNNING) {
                throw new BadInputException("workflow run " + runId + " is still running (execution " + run.latest().seq()
                        + ", pid " + run.latest().pid() + " on " + run.latest().host() + "); wait for it to end or stop it first");
            }
            Map<String, ItemRecord> tasks = new HashMap<>();
            List<String> keys = new ArrayList<>();
            for (ItemRecord item : store.items(runId)) {
                keys.add(item.params().get("task"));
                tasks.put(item.params().get("task"), item);
            }
            List<String> now = workflow.tasks().stream().map(Task::key).toList();
            if (!keys.equals(now)) {
                throw new BadInputException("workflow run " + runId + " had tasks " + keys + ", but " + workflow.path()
                        + " now has " + now + "; a resume needs the same tasks (start a new run instead)");
            }
            Map<String, BatchRecord> batches = new HashMap<>();
            for (BatchRecord b : store.taskBatches(runId)) {
                batches.put(b.task(), b); // oldest first: the latest of each task wins
            }
            return new RecordedRun(run, Map.copyOf(tasks), Map.copyOf(batches));
        }
    }

    /** The tasks a resume runs again: not SUCCEEDED, and everything downstream of those. */
    Set<String> rerun(Workflow workflow) {
        Set<String> out = new LinkedHashSet<>();
        for (Task t : workflow.topologicalOrder()) {
            ItemRecord item = recorded.get(t.key());
            boolean succeeded = item != null && item.state() == ItemState.SUCCEEDED;
            if (!succeeded || t.dependsOn().stream().anyMatch(out::contains)) {
                out.add(t.key());
            }
        }
        return out;
    }

    /**
     * {@code workflow} with the params the recorded run had (a resume may override some): a task's iterations
     * rendered with these are the ones its task batch recorded, unless the file or something upstream changed.
     */
    Workflow asRecorded(Workflow workflow) {
        Map<String, String> params = new java.util.LinkedHashMap<>();
        recordedParams.forEach((k, v) -> {
            if (workflow.params().containsKey(k)) {
                params.put(k, v);
            }
        });
        return workflow.withParams(params);
    }

    /** A task a resume does not run again: its recorded result. */
    TaskResult kept(String key) {
        RunResult run = recorded.get(key).run();
        BatchRecord batch = taskBatches.get(key);
        List<RunResult> iterations = batch == null ? List.of()
                : store.items(batch.id()).stream().map(ItemRecord::run).filter(r -> r != null).toList();
        return new TaskResult(key, Outcome.SUCCEEDED, run.exitValue(), batch == null ? null : batch.id(), iterations,
                run.startedAt(), run.endedAt(), true, null);
    }

    /**
     * What a task runs.
     *
     * @param batchId  its task batch
     * @param existing whether that batch is already recorded (a resume of some of its iterations)
     * @param run      the indices of the iterations to run
     * @param kept     the recorded results of the iterations not run again
     */
    record TaskPlan(String batchId, boolean existing, List<Integer> run, List<RunResult> kept) {
        static TaskPlan all(String batchId, int n) {
            List<Integer> all = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                all.add(i);
            }
            return new TaskPlan(batchId, false, all, List.of());
        }
    }

    /**
     * What a task runs: {@code iterations} are its iterations now, {@code asRecorded} the same rendered with the
     * recorded run's params (null when they could not be rendered).
     */
    TaskPlan plan(String key, List<Iterations.Iteration> iterations, List<Iterations.Iteration> asRecorded,
                  boolean upstreamRerun) {
        BatchRecord latest = taskBatches.get(key);
        if (latest == null) {
            return TaskPlan.all(runId + "." + key, iterations.size());
        }
        if (!upstreamRerun && asRecorded != null && latest.itemCount() == iterations.size()
                && asRecorded.size() == iterations.size()) {
            List<ItemRecord> items = store.items(latest.id());
            boolean same = true;
            for (int i = 0; i < items.size() && same; i++) {
                same = items.get(i).params().equals(redaction.params(asRecorded.get(i).params()));
            }
            if (same) {
                List<Integer> run = new ArrayList<>();
                List<RunResult> kept = new ArrayList<>();
                for (ItemRecord item : items) {
                    if (item.state() == ItemState.SUCCEEDED) {
                        kept.add(item.run());
                    } else {
                        run.add(item.index());
                    }
                }
                return new TaskPlan(latest.id(), true, run, kept);
            }
        }
        return TaskPlan.all(runId + "." + key + "." + recorder.execution(), iterations.size());
    }

    /** Records the task's iterations as they end: a new task batch, or a new execution of the recorded one. */
    HistoryRecorder taskRecorder(String key, TaskPlan plan, String job, BatchSpec spec, List<Map<String, String>> items) {
        return plan.existing() ? HistoryRecorder.resume(store, plan.batchId(), spec, redaction, limit, taskSlots)
                : HistoryRecorder.newTaskBatch(store, runId, key, plan.batchId(), job, spec, items, redaction, limit, taskSlots);
    }

    /** Records how task number {@code index} ended. */
    void task(int index, TaskResult r) {
        recorder.onRunEnd(new RunResult(index, r.batchId() == null ? "" : r.batchId(),
                Map.of("task", r.key()), r.outcome(), r.value(), List.of(), r.startedAt(), r.endedAt(), r.error()));
    }

    /** Ends this execution of the run. */
    void end(ExecutionState state, Instant at) {
        recorder.end(state, at);
        recorder.close();
    }

    /** The first history write that failed (the run went on), or null. */
    RuntimeException failure() {
        return recorder.failure();
    }
}
