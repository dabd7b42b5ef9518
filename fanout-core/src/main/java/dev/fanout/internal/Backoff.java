package dev.fanout.internal;

import java.io.Serializable;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The one backoff formula of fanout, for a run's attempts ({@code RetryPolicy}) and a row's calls ({@code RowFanout}).
 *
 * <p>The wait before retry {@code n} (1-based: the wait after the {@code n}th failed try) is
 * {@code min(initial * multiplier^(n-1), max) * (1 - jitter * u)}, with {@code u} uniform in [0, 1) from the caller's
 * random source. So the wait lies in {@code [capped * (1 - jitter), capped]}: with {@code jitter = 0.5} this is
 * "equal jitter" (half the wait fixed, half random), which keeps the exponential growth while spreading out the retries
 * of calls or runs that failed together. The random source is a parameter, so the formula is tested without sleeping.
 *
 * @param initial    the wait before the first retry, before jitter
 * @param max        the cap on a wait, before jitter
 * @param multiplier the growth from one wait to the next (at least 1)
 * @param jitter     the largest fraction (0 to 1) by which a wait is randomly shortened
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) implements Serializable {

    public Backoff {
        if (initial == null || initial.isNegative() || max == null || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff: give 0 <= initial <= max, got " + initial + " and " + max);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("backoff: multiplier must be a finite number of at least 1, got " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("backoff: jitter must be between 0 and 1, got " + jitter);
        }
    }

    /** The wait before retry {@code retry} (1-based), in nanoseconds; {@code random} is in [0, 1). */
    public long nanos(int retry, double random) {
        double grown = initial.toNanos() * Math.pow(multiplier, Math.max(0, retry - 1)); // Infinity past the range: capped
        double capped = Math.min(grown, (double) max.toNanos());
        return Math.round(capped * (1.0 - jitter * random));
    }

    /** As {@link #nanos}, drawing from {@code random}. */
    public Duration delay(int retry, DoubleSupplier random) {
        return Duration.ofNanos(nanos(retry, random.getAsDouble()));
    }
}
