package dev.fanout.internal.engine;

import java.util.function.BooleanSupplier;

/**
 * Holds a batch's dispatcher back until one of its remaining items may start, for limits finer than the engine's
 * budget (a workflow loop's {@code concurrency}). The dispatcher calls {@link #awaitReady} before it asks the
 * {@link Limiter} for a permit, so a permit is never held while an item waits for its turn. A gate is usually also
 * the batch's item iterator, handing out the item it found ready.
 */
public interface Gate {
    /**
     * Returns once an item may start, or none is left, or {@code stopped} is true (re-checked at least every few
     * hundred milliseconds).
     *
     * @throws InterruptedException when the calling thread is interrupted while it waits
     */
    void awaitReady(BooleanSupplier stopped) throws InterruptedException;
}
