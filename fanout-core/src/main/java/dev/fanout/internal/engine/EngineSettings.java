package dev.fanout.internal.engine;

import dev.fanout.FailurePolicy;
import dev.fanout.FanoutListener;
import dev.fanout.Parallelism;
import dev.fanout.Redaction;
import dev.fanout.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a batch needs to know, validated by {@code Fanout.Builder}.
 *
 * @param parallelism   how many runs the engine has in flight at once, over all its batches: fixed, or following
 *                      the cluster; its {@code max()} is the number of FAIR pools
 * @param timeout       per attempt; null for none
 * @param cancelGrace   after a cancel, how long a slot waits for the run's thread to return and its
 *                      Spark tasks to stop before it gives up on them and moves on
 * @param retainRuns    keep every run's result in the batch result (false: counts only, for huge batches)
 * @param sessionPerRun give each run its own {@code newSession()} (false: runs share the given session)
 * @param redaction     which parameters are secrets (masked in job descriptions and logs)
 */
public record EngineSettings(Parallelism parallelism, Duration timeout, RetryPolicy retry, FailurePolicy failurePolicy,
                             List<FanoutListener> listeners, Clock clock, boolean retainRuns,
                             Duration cancelGrace, boolean sessionPerRun, Redaction redaction) {
    public EngineSettings {
        Objects.requireNonNull(parallelism, "parallelism");
        listeners = List.copyOf(listeners);
    }

    /** The same settings with {@code extra} listeners called after these. */
    EngineSettings withListeners(List<FanoutListener> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        List<FanoutListener> all = new java.util.ArrayList<>(listeners);
        all.addAll(extra);
        return new EngineSettings(parallelism, timeout, retry, failurePolicy, all, clock, retainRuns, cancelGrace,
                sessionPerRun, redaction);
    }

    /** The same settings with this batch's own timeout and retry policy, where given (null: these settings'). */
    EngineSettings withRun(Duration timeout, RetryPolicy retry) {
        if (timeout == null && retry == null) {
            return this;
        }
        return new EngineSettings(parallelism, timeout != null ? timeout : this.timeout, retry != null ? retry : this.retry,
                failurePolicy, listeners, clock, retainRuns, cancelGrace, sessionPerRun, redaction);
    }
}
