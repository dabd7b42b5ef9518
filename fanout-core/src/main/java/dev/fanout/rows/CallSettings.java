package dev.fanout.rows;

import java.io.Serializable;
import java.time.Duration;

/**
 * How one partition calls its rows: shipped to the executors with the function.
 *
 * @param concurrency   calls in flight at once in one partition
 * @param ratePerSecond calls per second this partition may start (its share of the global rate); 0 = no limit
 * @param timeout       per call
 * @param retries       calls after the first one, for retryable failures
 * @param backoff       the wait before the first retry; doubled for each next one, with jitter
 * @param maxBackoff    the longest wait between two calls of a row (backoff only; see {@code maxRetryAfter})
 * @param maxRetryAfter the longest {@code Retry-After} honoured; a longer one ends the row with its error
 */
record CallSettings(int concurrency, double ratePerSecond, Duration timeout, int retries, Duration backoff,
                    Duration maxBackoff, Duration maxRetryAfter) implements Serializable {

    /** Rows taken from the input ahead of the oldest one not yet done (results come out in input order). */
    int window() {
        return Math.max(16, concurrency * 4);
    }

    /** The wait before retry {@code retry} (1-based): exponential, capped, with "equal jitter". */
    long backoffNanos(int retry, double random) {
        long base = backoff.toNanos();
        long cap = maxBackoff.toNanos();
        long d = base;
        for (int i = 1; i < retry && d < cap; i++) {
            d *= 2;
        }
        d = Math.min(d, cap);
        return d / 2 + (long) (random * (d / 2.0));
    }
}
