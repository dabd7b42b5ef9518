package dev.fanout.rows;

import java.time.Duration;
import java.util.Optional;

/**
 * A call for one row failed in a way the function can classify: a short {@code kind} (the summary groups errors by
 * it, e.g. {@code http_404}, {@code timeout}), whether trying again may help, and how long the other side asked us
 * to wait ({@code Retry-After}). Any other exception thrown by a {@link RowFunction} is classified by its type.
 */
public class RowCallException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String kind;
    private final boolean retryable;
    private final Duration retryAfter;

    public RowCallException(String kind, String message, boolean retryable, Duration retryAfter) {
        super(message);
        this.kind = kind;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** Recorded on the row at once, never retried (bad input, a 404). */
    public static RowCallException permanent(String kind, String message) {
        return new RowCallException(kind, message, false, null);
    }

    /** Tried again with backoff while retries are left (a 503, a dropped connection). */
    public static RowCallException retryable(String kind, String message) {
        return new RowCallException(kind, message, true, null);
    }

    public String kind() {
        return kind;
    }

    public boolean isRetryable() {
        return retryable;
    }

    /** The wait the other side asked for before the next call, if it said so. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
