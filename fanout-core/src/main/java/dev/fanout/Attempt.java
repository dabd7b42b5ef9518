package dev.fanout;

import java.time.Duration;
import java.time.Instant;

/**
 * One attempt of a run.
 *
 * @param number    1-based
 * @param jobGroup  the Spark job group of this attempt (unique, never reused)
 * @param slot      the concurrency slot (0-based) that ran it; its FAIR pool is {@code fanout-slot-<slot>}
 * @param outcome   how the attempt ended
 * @param error     the failure, null when it succeeded
 * @param metrics   what its Spark tasks cost, {@link SparkMetrics#ZERO} when it ran none
 */
public record Attempt(int number, String jobGroup, int slot, Instant startedAt, Instant endedAt, Outcome outcome,
                      ErrorInfo error, SparkMetrics metrics) {
    public Duration duration() {
        return Duration.between(startedAt, endedAt);
    }
}
