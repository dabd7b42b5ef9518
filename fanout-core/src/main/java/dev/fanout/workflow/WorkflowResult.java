package dev.fanout.workflow;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a workflow run ended: each task's outcome, value and iterations, in the file's order.
 *
 * @param runId       the workflow run's id (the history's; {@code fanout history ID}, {@code fanout resume ID})
 * @param name        the workflow's {@code name}
 * @param params      the workflow parameters it ran with (secrets masked)
 * @param tasks       every task's result by key, in the file's order
 * @param interrupted whether it was stopped (Ctrl-C, an interrupt, {@code Fanout.abort}) before its end
 */
public record WorkflowResult(String runId, String name, Map<String, String> params, Map<String, TaskResult> tasks,
                             Instant startedAt, Instant endedAt, boolean interrupted) {
    public WorkflowResult {
        Objects.requireNonNull(runId, "runId");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        tasks = Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
    }

    /** The result of task {@code key}. */
    public TaskResult task(String key) {
        TaskResult t = tasks.get(key);
        if (t == null) {
            throw new IllegalArgumentException("workflow '" + name + "' has no task '" + key + "'; its tasks: " + tasks.keySet());
        }
        return t;
    }

    /** Whether a task (or an iteration of one) failed. */
    public boolean failed() {
        return tasks.values().stream().anyMatch(TaskResult::failed);
    }

    /** Whether it ran to its end and nothing failed (skipped tasks are not failures). */
    public boolean succeeded() {
        return !interrupted && !failed();
    }

    /** The command line's exit code: 0 when nothing failed, 1 when a task or iteration failed, 130 when stopped. */
    public int exitCode() {
        return interrupted ? 130 : failed() ? 1 : 0;
    }

    public Duration duration() {
        return Duration.between(startedAt, endedAt);
    }
}
