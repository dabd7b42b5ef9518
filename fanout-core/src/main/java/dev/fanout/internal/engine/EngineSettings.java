package dev.fanout.internal.engine;

import dev.fanout.FailurePolicy;
import dev.fanout.FanoutListener;
import dev.fanout.Redaction;
import dev.fanout.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Everything a batch needs to know, validated by {@code Fanout.Builder}.
 *
 * @param timeout       per attempt; null for none
 * @param cancelGrace   after a cancel, how long a slot waits for the run's thread to return and its
 *                      Spark tasks to stop before it gives up on them and moves on
 * @param retainRuns    keep every run's result in the batch result (false: counts only, for huge batches)
 * @param sessionPerRun give each run its own {@code newSession()} (false: runs share the given session)
 * @param redaction     which parameters are secrets (masked in job descriptions and logs)
 * @param limit         how many runs may be in flight right now (read before each run starts; capped by
 *                      {@code parallelism}, the number of slots); null for always {@code parallelism}
 */
public record EngineSettings(int parallelism, Duration timeout, RetryPolicy retry, FailurePolicy failurePolicy,
                             List<FanoutListener> listeners, Clock clock, boolean retainRuns,
                             Duration cancelGrace, boolean sessionPerRun, Redaction redaction,
                             java.util.function.IntSupplier limit) {
    public EngineSettings {
        listeners = List.copyOf(listeners);
    }
}
