package dev.fanout.rows;

import dev.fanout.internal.Backoff;
import java.io.Serializable;
import java.time.Duration;

/**
 * How one partition calls its rows: shipped to the executors with the function.
 *
 * @param concurrency   calls in flight at once in one partition
 * @param ratePerSecond calls per second this partition may start (its share of the global rate); 0 = no limit
 * @param timeout       per call
 * @param retries       calls after the first one, for retryable failures
 * @param backoff       the wait between two calls of a row (the shared formula; see {@code maxRetryAfter})
 * @param maxRetryAfter the longest {@code Retry-After} honoured; a longer one ends the row with its error
 */
record CallSettings(int concurrency, double ratePerSecond, Duration timeout, int retries, Backoff backoff,
                    Duration maxRetryAfter) implements Serializable {

    /** Rows taken from the input ahead of the oldest one not yet done (results come out in input order). */
    int window() {
        return Math.max(16, concurrency * 4);
    }
}
