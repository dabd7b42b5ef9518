package dev.fanout.internal.engine;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one budget of run slots of an {@link Engine}: every batch the engine runs at the same time takes its
 * permits here, so together they never have more runs in flight than the current limit.
 *
 * <h2>Permits and pools</h2>
 * A permit is a right to have one run in flight, and it leases one FAIR scheduler pool: the lowest pool index
 * no other permit holds, {@code 0 .. max-1}. Spark creates a pool on first use and never removes or re-weights
 * it, so the set of pools stays the {@code max} made once ({@code fanout-slot-N}), and two runs in flight at the
 * same moment never share a pool, whichever batches they belong to.
 *
 * <h2>The limit</h2>
 * The limit is read (within {@code 1..max}) each time a permit could be handed out. It may change while runs are
 * in flight (executors join or leave): a lower limit cancels nothing, it only keeps permits from being handed
 * out until enough runs have ended; a higher one lets waiters go at once. Whoever changes the limit calls
 * {@link #refresh()}; there is no polling.
 *
 * <h2>Waiting</h2>
 * Waiters are served first come, first served, each on its own {@link Condition}: the head of the queue is
 * signalled when a permit comes back or the limit changes, and passes the signal on when a permit is left over.
 * A batch that waits here usually has one waiting thread (its dispatcher), so two concurrent batches take turns
 * instead of one starving the other. A waiter leaves empty-handed when its own stop condition becomes true;
 * {@link #wakeAll()} makes every waiter re-check it.
 *
 * <h2>While every permit is taken</h2>
 * An optional hook ({@code whileFull}: the adaptive parallelism's) is called by the head waiter, outside the lock,
 * each time it finds every permit taken; it answers how long it wants to wait before it is called again, and the
 * waiter then waits at most that long on the engine's {@link Ticker} (0: until the next signal, as without a hook).
 */
final class Limiter {
    private static final Logger LOG = LoggerFactory.getLogger(Limiter.class);

    private final int max;
    private final IntSupplier limit;
    private final Ticker ticker;
    private final java.util.function.LongSupplier whileFull; // null: none
    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<Condition> queue = new ArrayDeque<>();
    private final BitSet leased = new BitSet();
    private int inUse;
    private int lastLimit;

    /**
     * @param max   the most permits ever (the number of pools)
     * @param limit the permits allowed now; values outside {@code 1..max} are clamped, a failure counts as {@code max}
     */
    Limiter(int max, IntSupplier limit) {
        this(max, limit, Ticker.SYSTEM, null);
    }

    /**
     * @param whileFull called by the head waiter (outside the lock) whenever it finds every permit taken; returns the
     *                  nanoseconds it may wait on {@code ticker} before it calls again, 0 to wait for a signal only
     */
    Limiter(int max, IntSupplier limit, Ticker ticker, java.util.function.LongSupplier whileFull) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        this.max = max;
        this.limit = limit;
        this.ticker = ticker;
        this.whileFull = whileFull;
        this.lastLimit = max;
    }

    /** A right to one run in flight, with the scheduler pool it leases. */
    record Permit(int index) {}

    int max() {
        return max;
    }

    /** The permits allowed now, within {@code 1..max}. */
    int limitNow() {
        int n;
        try {
            n = Math.max(1, Math.min(max, limit.getAsInt()));
        } catch (RuntimeException e) {
            LOG.warn("reading the parallelism limit failed ({}); using {}", e.toString(), lastLimit);
            return lastLimit;
        }
        lastLimit = n;
        return n;
    }

    /** Threads waiting for a permit now. */
    int waiting() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Permits held now. */
    int inUse() {
        lock.lock();
        try {
            return inUse;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for a permit. Returns null, without waiting, once {@code stopped} is true (it is re-checked on every
     * wakeup: call {@link #wakeAll()} after making it true).
     *
     * @throws InterruptedException when the calling thread is interrupted while it waits
     */
    Permit acquire(BooleanSupplier stopped) throws InterruptedException {
        lock.lock();
        try {
            Condition me = lock.newCondition();
            queue.addLast(me);
            try {
                while (true) {
                    if (stopped.getAsBoolean()) {
                        return null;
                    }
                    if (queue.peekFirst() == me && inUse < limitNow()) {
                        int index = leased.nextClearBit(0);
                        leased.set(index);
                        inUse++;
                        return new Permit(index);
                    }
                    long wait = queue.peekFirst() == me ? full() : 0;
                    if (stopped.getAsBoolean() || (queue.peekFirst() == me && inUse < limitNow())) {
                        continue; // the hook moved the limit (or the batch stopped) while the lock was let go
                    }
                    if (wait > 0) {
                        ticker.await(lock, me, wait);
                    } else {
                        me.await();
                    }
                }
            } finally {
                boolean head = queue.peekFirst() == me;
                queue.remove(me);
                if (head) {
                    signalHead(); // whatever this waiter did not take, the next one may
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Calls the {@code whileFull} hook with the lock let go; returns how long to wait at most (0: no limit). */
    private long full() {
        if (whileFull == null) {
            return 0;
        }
        lock.unlock();
        try {
            return Math.max(0, whileFull.getAsLong());
        } catch (RuntimeException e) {
            LOG.warn("the parallelism controller failed while every permit was taken: {}", e.toString(), e);
            return 0;
        } finally {
            lock.lock();
        }
    }

    /** Gives a permit back (its pool becomes free) and lets the next waiter go. */
    void release(Permit permit) {
        lock.lock();
        try {
            if (!leased.get(permit.index())) {
                throw new IllegalStateException("permit " + permit.index() + " was not leased");
            }
            leased.clear(permit.index());
            inUse--;
            signalHead();
        } finally {
            lock.unlock();
        }
    }

    /** The limit may have changed: the first waiter re-reads it. */
    void refresh() {
        lock.lock();
        try {
            signalHead();
        } finally {
            lock.unlock();
        }
    }

    /** Every waiter re-checks its stop condition (and the limit). */
    void wakeAll() {
        lock.lock();
        try {
            queue.forEach(Condition::signal);
        } finally {
            lock.unlock();
        }
    }

    private void signalHead() {
        Condition head = queue.peekFirst();
        if (head != null) {
            head.signal();
        }
    }
}
