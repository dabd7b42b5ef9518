package dev.fanout;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one item of a batch.
 *
 * @param index     the item's position in the input, 0-based
 * @param runId     identifies the run within the batch
 * @param params    the item's parameters
 * @param outcome   how the run ended
 * @param exitValue what the job returned on success (may be null)
 * @param attempts  every attempt, in order; empty when the run was skipped
 * @param startedAt start of the first attempt (null when skipped)
 * @param endedAt   end of the last attempt (null when skipped)
 * @param error     the last attempt's failure, or why the run was cancelled; null on success and when skipped
 */
public record RunResult(int index, String runId, Map<String, String> params, Outcome outcome, String exitValue,
                        List<Attempt> attempts, Instant startedAt, Instant endedAt, ErrorInfo error) {

    public RunResult {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params)); // keeps the item's order
        attempts = List.copyOf(attempts);
    }

    /** What all its attempts cost the cluster together. */
    public SparkMetrics metrics() {
        return attempts.stream().map(Attempt::metrics).reduce(SparkMetrics.ZERO, SparkMetrics::plus);
    }

    /** The slot of its last attempt, or -1 when it was skipped. */
    public int slot() {
        return attempts.isEmpty() ? -1 : attempts.get(attempts.size() - 1).slot();
    }

    /** Wall time from the first attempt's start to the last attempt's end (zero when skipped). */
    public Duration duration() {
        return startedAt == null || endedAt == null ? Duration.ZERO : Duration.between(startedAt, endedAt);
    }
}
