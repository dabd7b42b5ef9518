package dev.fanout.cli.console;

import dev.fanout.DurationFormat;
import dev.fanout.FanoutListener;
import dev.fanout.Outcome;
import dev.fanout.Redaction;
import dev.fanout.RunResult;
import dev.fanout.workflow.TaskResult;
import dev.fanout.workflow.WorkflowListener;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A workflow run's progress: a line when each task starts and ends, and one live line for the whole run (tasks done,
 * and each running task's iterations done of those it runs, failed and in flight), drawn by a {@link ProgressLine}.
 *
 * <p>The engine runs each task's iterations as a batch of their own (id {@code RUN.KEY}, or {@code RUN.KEY.N}), so the
 * run events are told apart by batch id: a task key holds no dot, and a run's id is its batch id, a dash and its index.
 * An iteration that fails or times out gets its line above the live one at once ({@link ProgressDisplay#failureLine}
 * with the task's key).
 */
public final class WorkflowProgress implements FanoutListener, WorkflowListener, AutoCloseable {
    private final String name;
    private final int tasks;
    private final long startNanos = System.nanoTime();
    private final AtomicInteger tasksDone = new AtomicInteger();
    private final Map<String, Counts> running = new LinkedHashMap<>(); // by task key, in start order; guarded by this
    private final ProgressLine progress;
    private final Redaction redaction;
    private volatile String runId;

    /** Iterations of one running task: to run (not kept), ended, failed, timed out, in flight. */
    private static final class Counts {
        final int toRun;
        int done;
        int failed;
        int timedOut;
        int inFlight;

        Counts(int toRun) {
            this.toRun = toRun;
        }
    }

    /** @param redaction masks secret parameters in the failure lines (the engine's events carry the real values) */
    public WorkflowProgress(PrintStream err, boolean terminal, String name, int tasks, Duration plainEvery, Redaction redaction) {
        this.name = name;
        this.redaction = redaction;
        this.tasks = tasks;
        this.progress = new ProgressLine(err, terminal, plainEvery, tasks, tasksDone::get, this::line);
    }

    private void first(String id) {
        if (runId == null) {
            synchronized (this) {
                if (runId == null) {
                    runId = id;
                    progress.println("fanout: workflow " + name + ": run " + id);
                }
            }
        }
    }

    @Override
    public void onTaskStart(String runId, String key, int iterations, int kept, Instant at) {
        first(runId);
        synchronized (this) {
            running.put(key, new Counts(iterations - kept));
        }
        progress.println("fanout: task " + key + " started: " + iterations + (iterations == 1 ? " iteration" : " iterations")
                + (kept == 0 ? "" : " (" + kept + " kept from earlier executions, " + (iterations - kept) + " to run)"));
    }

    @Override
    public void onTaskEnd(String runId, TaskResult result) {
        first(runId);
        synchronized (this) {
            running.remove(result.key());
        }
        tasksDone.incrementAndGet();
        progress.println(WorkflowText.taskEnded(result));
    }

    @Override
    public void onRunStart(RunStart run) {
        if (run.attempt() == 1) {
            update(run.batchId(), c -> c.inFlight++);
        }
    }

    @Override
    public void onRunEnd(RunResult result) {
        int dash = result.runId().lastIndexOf('-');
        String key = update(dash < 0 ? result.runId() : result.runId().substring(0, dash), c -> {
            if (!result.attempts().isEmpty()) {
                c.inFlight--;
            }
            c.done++;
            if (result.outcome() == Outcome.TIMED_OUT) {
                c.timedOut++;
            } else if (result.outcome() == Outcome.FAILED) {
                c.failed++;
            }
        });
        if (key != null && result.outcome().isFailure()) {
            progress.println(ProgressDisplay.failureLine("task " + key + " ", redaction.run(result)));
        }
    }

    /** Applies {@code change} to the counts of the running task whose batch is {@code batchId}; returns its key, or null. */
    private synchronized String update(String batchId, java.util.function.Consumer<Counts> change) {
        String id = runId;
        if (id == null || !batchId.startsWith(id + ".")) {
            return null;
        }
        String rest = batchId.substring(id.length() + 1);
        int dot = rest.indexOf('.');
        String key = dot < 0 ? rest : rest.substring(0, dot);
        Counts c = running.get(key);
        if (c == null) {
            return null;
        }
        change.accept(c);
        return key;
    }

    /** The live line: {@code workflow NAME: 1/4 tasks done; days 3/16 (1 failed, 2 running); 12s elapsed}. */
    public synchronized String line() {
        StringJoiner inFlight = new StringJoiner(", ");
        running.forEach((key, c) -> {
            StringJoiner detail = new StringJoiner(", ", " (", ")").setEmptyValue("");
            if (c.failed != 0) {
                detail.add(c.failed + " failed");
            }
            if (c.timedOut != 0) {
                detail.add(c.timedOut + " timed out");
            }
            if (c.inFlight != 0) {
                detail.add(c.inFlight + " running");
            }
            inFlight.add(key + " " + c.done + "/" + c.toRun + detail);
        });
        return String.format("workflow %s: %d/%d tasks done%s; %s elapsed", name, tasksDone.get(), tasks,
                running.isEmpty() ? "" : "; " + inFlight, DurationFormat.format(Duration.ofNanos(System.nanoTime() - startNanos)));
    }

    @Override
    public void close() {
        progress.close();
    }
}
