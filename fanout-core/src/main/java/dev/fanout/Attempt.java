package dev.fanout;

import java.time.Duration;
import java.time.Instant;

/**
 * One attempt of a run.
 *
 * @param number    1-based
 * @param jobGroup  the Spark job group of this attempt (unique, never reused)
 * @param outcome   how the attempt ended
 * @param error     the failure, null when it succeeded
 */
public record Attempt(int number, String jobGroup, Instant startedAt, Instant endedAt, Outcome outcome, ErrorInfo error) {
    public Duration duration() {
        return Duration.between(startedAt, endedAt);
    }
}
