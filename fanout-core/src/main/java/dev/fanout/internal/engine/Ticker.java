package dev.fanout.internal.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * The engine's source of elapsed time, and its only way of waiting for a deadline: run timeouts, retry
 * backoffs and the grace period after a cancel all go through it, so tests can drive them with a manual
 * clock instead of sleeping (Caffeine injects its {@code Ticker} for the same reason). Wall-clock start
 * and end times come from the settings' {@code Clock}, not from here.
 */
public interface Ticker {
    /** The system ticker: {@link System#nanoTime()} and {@link Condition#awaitNanos}. */
    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void await(Lock lock, Condition condition, long nanos) throws InterruptedException {
            condition.awaitNanos(nanos);
        }
    };

    /** A monotonic time in nanoseconds; only differences mean anything. */
    long nanoTime();

    /**
     * Waits on {@code condition} (the caller holds {@code lock}, which belongs to it) until it is signalled or
     * {@code nanos} have passed on this ticker. May return early (a spurious wakeup): callers wait in a loop that
     * re-checks their state and the time left.
     */
    void await(Lock lock, Condition condition, long nanos) throws InterruptedException;

    /**
     * Waits on {@code condition} (the caller holds {@code lock}) until {@code done} is true, or until {@code deadline}
     * on this ticker. Returns whether {@code done} became true in time.
     */
    default boolean awaitUntil(Lock lock, Condition condition, long deadline, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        while (!done.getAsBoolean()) {
            long left = deadline - nanoTime();
            if (left <= 0) {
                return false;
            }
            await(lock, condition, left);
        }
        return true;
    }

    /** The nanoseconds left until {@code deadline}, never negative. */
    default long left(long deadline) {
        return Math.max(0, deadline - nanoTime());
    }

    /** A deadline {@code amount} from now, on this ticker. */
    default long deadline(long amount, TimeUnit unit) {
        return nanoTime() + unit.toNanos(amount);
    }
}
