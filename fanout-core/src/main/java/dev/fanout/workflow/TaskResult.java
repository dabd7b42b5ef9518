package dev.fanout.workflow;

import dev.fanout.ErrorInfo;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * How one task of a workflow run ended.
 *
 * <p>{@code outcome} is {@link Outcome#SUCCEEDED} when every iteration succeeded (a loop over no items too),
 * {@link Outcome#FAILED} when any iteration failed or timed out after its retries (or the task could not start: its
 * loop's items were not a JSON array, its job refused its parameters), {@link Outcome#SKIPPED} when its
 * {@code run_if} did not hold or the workflow stopped before it, and {@link Outcome#CANCELLED} when the workflow was
 * stopped while it ran.
 *
 * @param key        the task's key
 * @param outcome    how it ended: SUCCEEDED, FAILED, SKIPPED or CANCELLED
 * @param value      its exit value: the job's return value (a SQL task's rows as a JSON array of objects); for a
 *                   task with loops the JSON array of its iterations' values in item order; null when it has none
 * @param batchId    the batch of its iterations (in the history: {@code fanout history ID}); null when skipped
 * @param iterations its iterations' results in item order (one for a task without loops); a resume's kept
 *                   iterations come from the history
 * @param kept       true when a resume did not run it again: it had succeeded, and nothing upstream ran again
 * @param error      why it failed, was skipped or cancelled (the first failed iteration's error for a loop); null
 *                   when it succeeded
 */
public record TaskResult(String key, Outcome outcome, String value, String batchId, List<RunResult> iterations,
                         Instant startedAt, Instant endedAt, boolean kept, ErrorInfo error) {
    public TaskResult {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(outcome, "outcome");
        iterations = List.copyOf(iterations);
    }

    /** Whether it ran and every iteration succeeded. */
    public boolean succeeded() {
        return outcome == Outcome.SUCCEEDED;
    }

    /** Whether it counts as failed for {@code run_if} and the exit code. */
    public boolean failed() {
        return outcome == Outcome.FAILED || outcome == Outcome.TIMED_OUT;
    }

    /** Wall time from its start to its end (zero when it did not run). */
    public Duration duration() {
        return startedAt == null || endedAt == null ? Duration.ZERO : Duration.between(startedAt, endedAt);
    }

    /** Its iterations that did not succeed. */
    public List<RunResult> problems() {
        return iterations.stream().filter(r -> r.outcome() != Outcome.SUCCEEDED).toList();
    }
}
