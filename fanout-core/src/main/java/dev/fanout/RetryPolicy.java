package dev.fanout;

import dev.fanout.internal.Backoff;
import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * How many attempts a run gets and how long to wait between them.
 *
 * <p>The wait before attempt {@code n+1} is {@code initialBackoff * multiplier^(n-1)}, capped at
 * {@code maxBackoff}, then reduced by a random fraction of up to {@code jitter} so that runs that
 * failed together do not retry together. A failure is retried only when it is retryable: never
 * when a {@link NonRetryableException} (such as {@link BadParameterException}) is anywhere in its
 * cause chain, never for a timeout unless {@link Builder#retryTimeouts(boolean)}, and otherwise
 * when the {@link Builder#retryOn(Predicate)} predicate (default: always) accepts it.
 *
 * <p>The wait is the formula a row's calls use too ({@code RowFanout}), and so is the never-retry rule
 * ({@link #isNonRetryable}). What differs is deliberate: a run's other failures are retried by default (a Spark job
 * fails for passing reasons: a lost executor, a busy metastore) and its timeouts are not (a job that hung once tends
 * to hang again), while a row's call retries only what says it may heal (429, 5xx, timeouts, I/O errors) and treats
 * any other exception of the row function as a bug.
 *
 * <pre>{@code
 * RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofSeconds(2)).build();
 * }</pre>
 */
public final class RetryPolicy {
    private static final RetryPolicy NONE = builder().build();

    private final int maxAttempts;
    private final Backoff backoff;
    private final boolean retryTimeouts;
    private final Predicate<Throwable> retryOn;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.backoff = new Backoff(b.initialBackoff, b.maxBackoff, b.multiplier, b.jitter);
        this.retryTimeouts = b.retryTimeouts;
        this.retryOn = b.retryOn;
    }

    /** One attempt, no retries. */
    public static RetryPolicy none() {
        return NONE;
    }

    /** {@code retries} retries after the first attempt, with the default backoff. */
    public static RetryPolicy retries(int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
        }
        return builder().maxAttempts(retries + 1).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** Whether another attempt should follow attempt {@code attempt} that ended with {@code error}. */
    public boolean shouldRetry(int attempt, Throwable error, boolean timedOut) {
        if (attempt >= maxAttempts) {
            return false;
        }
        if (timedOut) {
            return retryTimeouts;
        }
        return error != null && !isNonRetryable(error) && retryOn.test(error);
    }

    /**
     * Whether {@code error} says that trying again cannot help: a {@link NonRetryableException} (such as a
     * {@link BadParameterException}) or an {@link InterruptedException} anywhere in its cause chain. Such a failure is
     * never retried, by a run's policy nor by a row's calls.
     */
    public static boolean isNonRetryable(Throwable error) {
        return ErrorInfo.causeChain(error).stream()
                .anyMatch(t -> t instanceof NonRetryableException || t instanceof InterruptedException);
    }

    /** The wait after failed attempt {@code attempt} (1-based); {@code random} yields values in [0, 1). */
    public Duration backoff(int attempt, DoubleSupplier random) {
        return backoff.delay(attempt, random);
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", initialBackoff=" + backoff.initial() + ", maxBackoff="
                + backoff.max() + ", multiplier=" + backoff.multiplier() + ", jitter=" + backoff.jitter()
                + ", retryTimeouts=" + retryTimeouts + "]";
    }

    /** Builds a {@link RetryPolicy}; every setter rejects a bad value at once, naming it. */
    public static final class Builder {
        private int maxAttempts = 1;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(1);
        private double multiplier = 2.0;
        private double jitter = 0.5;
        private boolean retryTimeouts;
        private Predicate<Throwable> retryOn = t -> true;

        private Builder() {}

        /** Attempts in all, the first included (1 = no retries). */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = nonNegative("initialBackoff", initialBackoff);
            return this;
        }

        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = nonNegative("maxBackoff", maxBackoff);
            return this;
        }

        public Builder multiplier(double multiplier) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("multiplier must be a finite number of at least 1, got " + multiplier);
            }
            this.multiplier = multiplier;
            return this;
        }

        /** The largest fraction (0 to 1) by which a wait is randomly shortened. */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /** Whether a timed-out attempt is retried (default false: a job that hung once tends to hang again). */
        public Builder retryTimeouts(boolean retryTimeouts) {
            this.retryTimeouts = retryTimeouts;
            return this;
        }

        /** Which failures are worth retrying (default: all but {@link NonRetryableException}s). */
        public Builder retryOn(Predicate<Throwable> retryOn) {
            this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
            return this;
        }

        public RetryPolicy build() {
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("maxBackoff (" + maxBackoff + ") must not be below initialBackoff (" + initialBackoff + ")");
            }
            return new RetryPolicy(this);
        }

        private static Duration nonNegative(String name, Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be zero or positive, got " + d);
            }
            return d;
        }
    }
}
