package dev.fanout.internal.workflow;

import dev.fanout.BadInputException;
import dev.fanout.BatchResult;
import dev.fanout.ErrorInfo;
import dev.fanout.FanoutListener;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.RunResult;
import dev.fanout.SparkJob;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.ExecutionState;
import dev.fanout.internal.engine.BatchRequest;
import dev.fanout.internal.engine.Engine;
import dev.fanout.internal.engine.EngineSettings;
import dev.fanout.internal.history.HistoryRecorder;
import dev.fanout.workflow.RunIf;
import dev.fanout.workflow.Task;
import dev.fanout.workflow.TaskResult;
import dev.fanout.workflow.Workflow;
import dev.fanout.workflow.WorkflowListener;
import dev.fanout.workflow.WorkflowResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiFunction;
import java.util.function.Function;
import dev.fanout.history.HistoryStore;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run (or resume) of a workflow on a {@code Fanout}'s engine.
 *
 * <h2>Scheduling</h2>
 * The calling thread is the scheduler: it starts every task whose upstream tasks have all ended (in the file's order
 * among those free to go), each on a thread of its own, so tasks with no path between them run at the same time.
 * A task's iterations are one batch of the engine: all tasks share the engine's one budget of slots (and FAIR pools),
 * and the task's {@link IterationGate} keeps each loop within its {@code concurrency} and the workflow within its own
 * {@code parallelism} (when it is smaller than the engine's). A task whose {@code run_if} does not hold is SKIPPED the
 * moment its upstream ended. Stopping ({@link #stop}, an interrupt) cancels the tasks in flight (their runs are
 * cancelled on the cluster) and skips the tasks not started.
 *
 * <h2>History</h2>
 * With a history, the run is a batch whose items are the tasks ({@link WorkflowRecord}); each task's iterations are a
 * task batch, recorded run by run as any batch, and the task's outcome and value are recorded when it ends. A resume
 * keeps every task that succeeded and has nothing upstream that runs again (its value comes from the history), and
 * runs the others; a task not downstream of anything that runs again and whose iterations are the same as recorded
 * runs only the iterations that did not succeed, as a new execution of its task batch.
 */
public final class WorkflowRun {
    /** Above this, a task value is logged as too large: values are for small results, data belongs in tables. */
    static final int VALUE_WARN_BYTES = 48 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(WorkflowRun.class);

    /**
     * What a workflow runs with: the {@code Fanout}'s engine and settings.
     *
     * @param history      where the run is recorded; null for nowhere
     * @param spec         how a batch of {@code job} with the given items source is recorded (the {@code Fanout}'s spec)
     * @param workflowSpec how a run of the workflow is recorded
     * @param taskSlots    the cluster's task slots now, for the history
     */
    public record Context(Engine engine, EngineSettings settings, SparkSession spark, HistoryStore history,
                          BiFunction<SparkJob, String, BatchSpec> spec, Function<Workflow, BatchSpec> workflowSpec,
                          int taskSlots) {}

    private final Context ctx;
    private final Workflow workflow;
    private final Map<String, SparkJob> jobs;
    private final WorkflowListener listener;
    private final WorkflowRecord record;
    private final String runId;
    private final IterationGate.Slots slots;
    private final BlockingQueue<TaskResult> ended = new LinkedBlockingQueue<>();
    private final Map<String, Thread> running = new ConcurrentHashMap<>();
    private final Set<String> rerun;
    private volatile String stopReason;

    private WorkflowRun(Context ctx, Workflow workflow, Map<String, SparkJob> jobs, WorkflowListener listener,
                        WorkflowRecord record, String runId) {
        this.ctx = ctx;
        this.workflow = workflow;
        this.jobs = jobs;
        this.listener = listener;
        this.record = record;
        this.runId = runId;
        int cap = workflow.parallelism().filter(p -> !p.dynamic()).map(p -> p.max()).orElse(Integer.MAX_VALUE);
        this.slots = new IterationGate.Slots(cap);
        this.rerun = record == null ? Set.of() : record.rerun(workflow);
    }

    /** A new run of {@code workflow} (its params already set) under the id {@code runId}. */
    public static WorkflowRun start(Context ctx, Workflow workflow, Map<String, SparkJob> jobs, WorkflowListener listener,
                                    String runId) {
        WorkflowRecord record = ctx.history() == null ? null : WorkflowRecord.create(ctx, workflow, runId);
        return new WorkflowRun(ctx, workflow, jobs, listener, record, runId);
    }

    /**
     * A resume of the recorded run {@code recorded} (read and checked by {@link WorkflowRecord.RecordedRun#read}), with
     * {@code workflow} read again (its params: the recorded ones with the caller's on top).
     */
    public static WorkflowRun resume(Context ctx, Workflow workflow, Map<String, SparkJob> jobs, WorkflowListener listener,
                                     WorkflowRecord.RecordedRun recorded) {
        if (ctx.history() == null) {
            throw new IllegalStateException("resume needs a history: build this Fanout with .history(path) or .history(store)");
        }
        return new WorkflowRun(ctx, workflow, jobs, listener, WorkflowRecord.resume(ctx, workflow, recorded),
                recorded.run().id());
    }

    public String runId() {
        return runId;
    }

    /** Stops the run: tasks in flight are cancelled (their runs on the cluster), tasks not started are skipped. */
    public void stop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
            running.values().forEach(Thread::interrupt);
            ended.add(STOP);
        }
    }

    private static final TaskResult STOP = new TaskResult("", Outcome.CANCELLED, null, null, List.of(), null, null, false, null);

    /** Runs the workflow to its end on the calling thread and returns every task's result. */
    public WorkflowResult execute() {
        Instant startedAt = ctx.settings().clock().instant();
        Map<String, TaskResult> done = new LinkedHashMap<>();
        Set<String> started = new java.util.HashSet<>();
        boolean interrupted = false;
        try {
            while (done.size() < workflow.tasks().size()) {
                boolean progress = true;
                while (progress) {
                    progress = false;
                    for (Task t : workflow.tasks()) {
                        if (started.contains(t.key()) || !done.keySet().containsAll(t.dependsOn())) {
                            continue;
                        }
                        started.add(t.key());
                        TaskResult now = decide(t, done);
                        if (now != null) {
                            finish(now, done);
                            progress = true;
                        } else {
                            launch(t, done);
                        }
                    }
                }
                if (done.size() == workflow.tasks().size()) {
                    break;
                }
                TaskResult r;
                try {
                    r = ended.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                    stop("the calling thread was interrupted");
                    continue;
                }
                if (r != STOP) {
                    running.remove(r.key());
                    finish(r, done);
                }
            }
        } finally {
            if (record != null) {
                record.end(stopReason != null ? ExecutionState.INTERRUPTED
                        : done.values().stream().anyMatch(TaskResult::failed) ? ExecutionState.FAILED : ExecutionState.SUCCEEDED,
                        ctx.settings().clock().instant());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Map<String, TaskResult> ordered = new LinkedHashMap<>();
        workflow.tasks().forEach(t -> ordered.put(t.key(), done.get(t.key())));
        return new WorkflowResult(runId, workflow.name(), ctx.settings().redaction().params(workflow.params()), ordered,
                startedAt, ctx.settings().clock().instant(), stopReason != null);
    }

    /** A task's result without running it (kept from the history, skipped), or null when it runs. */
    private TaskResult decide(Task t, Map<String, TaskResult> done) {
        if (stopReason != null) {
            return skipped(t, "the workflow was stopped: " + stopReason);
        }
        if (record != null && !rerun.contains(t.key())) {
            return record.kept(t.key());
        }
        List<TaskResult> upstream = t.dependsOn().stream().map(done::get).toList();
        if (!holds(t.runIf(), upstream)) {
            StringBuilder why = new StringBuilder("run_if " + t.runIf().spec() + " does not hold:");
            upstream.forEach(u -> why.append(' ').append(u.key()).append(' ').append(u.outcome()));
            return skipped(t, why.toString());
        }
        return null;
    }

    /** Whether {@code runIf} holds for the ended upstream tasks (a task with no upstream always runs). */
    static boolean holds(RunIf runIf, List<TaskResult> upstream) {
        if (upstream.isEmpty()) {
            return true;
        }
        long ok = upstream.stream().filter(TaskResult::succeeded).count();
        long failed = upstream.stream().filter(TaskResult::failed).count();
        long ran = ok + failed; // a cancelled upstream did not run to its end
        return switch (runIf) {
            case ALL_SUCCESS -> ok == upstream.size();
            case ALL_DONE -> true;
            case NONE_FAILED -> failed == 0 && ran > 0;
            case AT_LEAST_ONE_SUCCESS -> ok > 0;
            case AT_LEAST_ONE_FAILED -> failed > 0;
            case ALL_FAILED -> failed == upstream.size();
        };
    }

    private TaskResult skipped(Task t, String why) {
        return new TaskResult(t.key(), Outcome.SKIPPED, null, null, List.of(), null, null, false,
                new ErrorInfo("Skipped", why, null));
    }

    private void finish(TaskResult r, Map<String, TaskResult> done) {
        done.put(r.key(), r);
        if (record != null && !r.kept()) {
            record.task(index(r.key()), r);
        }
        listener.onTaskEnd(runId, r);
    }

    private int index(String key) {
        for (int i = 0; i < workflow.tasks().size(); i++) {
            if (workflow.tasks().get(i).key().equals(key)) {
                return i;
            }
        }
        throw new IllegalArgumentException(key);
    }

    private void launch(Task t, Map<String, TaskResult> done) {
        Map<String, String> values = new HashMap<>();
        for (String up : workflow.upstream(t.key())) {
            TaskResult u = done.get(up);
            if (u != null && u.value() != null) {
                values.put(up, u.value());
            }
        }
        Thread thread = new Thread(() -> {
            TaskResult r;
            try {
                r = runTask(t, values);
            } catch (RuntimeException | Error e) {
                LOG.error("task {} of workflow run {} failed in fanout itself", t.key(), runId, e);
                r = new TaskResult(t.key(), Outcome.FAILED, null, null, List.of(), null, null, false, ErrorInfo.of(e));
            }
            ended.add(r);
        }, "fanout-" + runId + "-" + t.key());
        thread.setDaemon(true);
        running.put(t.key(), thread);
        thread.start();
    }

    private TaskResult runTask(Task t, Map<String, String> values) {
        Instant startedAt = ctx.settings().clock().instant();
        List<Iterations.Iteration> all;
        try {
            all = new Iterations(workflow, t, values).expand();
        } catch (Iterations.ExpansionException e) {
            return failedToStart(t, startedAt, "task '" + t.key() + "' (" + workflow.path().getFileName() + ":" + t.line()
                    + "): " + e.getMessage());
        }
        SparkJob job = jobs.get(t.key());
        try {
            job.check(all.stream().map(Iterations.Iteration::params).toList(), ctx.spark());
        } catch (BadInputException e) {
            return failedToStart(t, startedAt, "task '" + t.key() + "': " + e.getMessage());
        }
        WorkflowRecord.TaskPlan plan = record == null ? WorkflowRecord.TaskPlan.all(runId + "." + t.key(), all.size())
                : record.plan(t.key(), all, asRecorded(t, values), upstreamRerun(t));
        List<Iterations.Iteration> toRun = new ArrayList<>();
        int[] indices = plan.run().stream().mapToInt(Integer::intValue).toArray();
        for (int i : indices) {
            toRun.add(all.get(i));
        }
        listener.onTaskStart(runId, t.key(), all.size(), all.size() - toRun.size(), startedAt);
        int[] concurrency = t.forEach().stream().mapToInt(l -> l.concurrency().orElse(0)).toArray();
        IterationGate gate = new IterationGate(slots, toRun, indices, concurrency);
        BatchSpec spec = ctx.spec().apply(job, "task " + t.key() + " of workflow " + workflow.name() + " (" + runId + ")");
        HistoryRecorder recorder = record == null ? null : record.taskRecorder(t.key(), plan, job.name(), spec,
                all.stream().map(Iterations.Iteration::params).toList());
        Duration timeout = workflow.timeout(t).orElse(null);
        RetryPolicy retry = workflow.retries(t).isPresent() ? RetryPolicy.retries(workflow.retries(t).getAsInt()) : null;
        List<FanoutListener> listeners = recorder == null ? List.of(gate) : List.of(gate, recorder);
        BatchResult batch;
        try {
            batch = ctx.engine().run(new BatchRequest(job, plan.batchId(), gate, position -> gate.lastIndex(),
                    OptionalLong.of(toRun.size()), (i, e) -> { }, listeners, Map.of(), timeout, retry, gate));
        } finally {
            if (recorder != null) {
                recorder.close();
            }
        }
        List<RunResult> iterations = new ArrayList<>(plan.kept());
        iterations.addAll(batch.runs());
        iterations.sort(Comparator.comparingInt(RunResult::index));
        return result(t, plan.batchId(), iterations, all, batch.interrupted(), startedAt);
    }

    /** {@code t}'s iterations rendered with the recorded run's params, or null when they cannot be. */
    private List<Iterations.Iteration> asRecorded(Task t, Map<String, String> values) {
        try {
            return new Iterations(record.asRecorded(workflow), t, values).expand();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Whether anything upstream of {@code t} runs again in this resume (then {@code t} runs all its iterations). */
    private boolean upstreamRerun(Task t) {
        return workflow.upstream(t.key()).stream().anyMatch(rerun::contains);
    }

    private TaskResult failedToStart(Task t, Instant startedAt, String message) {
        LOG.warn("{}", message);
        return new TaskResult(t.key(), Outcome.FAILED, null, null, List.of(), startedAt, ctx.settings().clock().instant(),
                false, new ErrorInfo(BadInputException.class.getName(), message, null));
    }

    private TaskResult result(Task t, String batchId, List<RunResult> iterations, List<Iterations.Iteration> all,
                              boolean interrupted, Instant startedAt) {
        Instant endedAt = ctx.settings().clock().instant();
        RunResult firstProblem = iterations.stream().filter(r -> r.outcome() != Outcome.SUCCEEDED).findFirst().orElse(null);
        boolean anyFailed = iterations.stream().anyMatch(r -> r.outcome() == Outcome.FAILED || r.outcome() == Outcome.TIMED_OUT);
        Outcome outcome = anyFailed ? Outcome.FAILED
                : firstProblem == null ? Outcome.SUCCEEDED
                : Outcome.CANCELLED;
        String value = t.loops() ? Iterations.arrayOf(iterations.stream().map(RunResult::exitValue).toList())
                : iterations.isEmpty() ? null : iterations.get(0).exitValue();
        if (value != null && value.length() > VALUE_WARN_BYTES / 4
                && value.getBytes(StandardCharsets.UTF_8).length > VALUE_WARN_BYTES) {
            LOG.warn("the value of task '{}' is {} KiB: values are meant for small results (days, counts, ids);"
                    + " data belongs in tables", t.key(), value.getBytes(StandardCharsets.UTF_8).length / 1024);
        }
        ErrorInfo error = null;
        if (firstProblem != null) {
            ErrorInfo e = firstProblem.error();
            String which = t.loops() ? "iteration " + firstProblem.index() + " (" + all.get(firstProblem.index()).label() + ") "
                    + firstProblem.outcome() + (iterations.size() > 1 ? " (" + (int) iterations.stream()
                    .filter(r -> r.outcome() != Outcome.SUCCEEDED).count() + " of " + iterations.size() + " did not succeed)" : "")
                    + (e == null ? "" : ": ") : "";
            error = e == null ? new ErrorInfo(outcome.name(), which.strip(), null)
                    : new ErrorInfo(e.type(), which + e.message(), e.stackTrace());
        }
        return new TaskResult(t.key(), outcome, value, batchId, iterations, startedAt, endedAt, false, error);
    }
}
