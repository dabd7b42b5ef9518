package dev.fanout.testing;

import dev.fanout.internal.engine.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A {@link Ticker} whose time moves only when a test calls {@link #advance}: the engine's timeouts, backoffs and
 * grace periods then pass exactly when the test says, with no sleeping. Threads waiting on it are visible
 * ({@link #awaitWaiters}, {@link #pendingDelays}), so a test can wait until the engine is waiting before it moves
 * the time on.
 */
public final class ManualTicker implements Ticker {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    private final Object changed = new Object();

    private record Waiter(Lock lock, Condition condition, long deadline) {}

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public void await(Lock lock, Condition condition, long nanos) throws InterruptedException {
        Waiter w = new Waiter(lock, condition, now.get() + nanos);
        waiters.add(w);
        notifyChanged();
        try {
            if (now.get() - w.deadline() < 0) { // advance() signals every waiter it can see after moving the time
                condition.await();
            }
        } finally {
            waiters.remove(w);
            notifyChanged();
        }
    }

    /** Moves the time on and wakes every thread waiting on this ticker (they re-check their deadlines). */
    public void advance(Duration d) {
        now.addAndGet(d.toNanos());
        for (Waiter w : List.copyOf(waiters)) {
            w.lock().lock();
            try {
                w.condition().signalAll();
            } finally {
                w.lock().unlock();
            }
        }
    }

    /**
     * The time each waiting thread still has to wait, shortest first; threads whose deadline has passed (about to
     * wake up) are left out.
     */
    public List<Duration> pendingDelays() {
        List<Duration> d = new ArrayList<>();
        long t = now.get();
        for (Waiter w : waiters) {
            if (w.deadline() - t > 0) {
                d.add(Duration.ofNanos(w.deadline() - t));
            }
        }
        d.sort(null);
        return d;
    }

    /**
     * Waits (real time, at most 10 s) until at least {@code n} threads wait on this ticker for a deadline still
     * ahead; returns their delays ({@link #pendingDelays()}).
     */
    public List<Duration> awaitWaiters(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (changed) {
            while (pendingDelays().size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " threads waiting on the ticker, found " + pendingDelays());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(changed, Math.min(left, TimeUnit.MILLISECONDS.toNanos(5)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
        }
        return pendingDelays();
    }

    /** Advances by the shortest pending delay once a thread waits on this ticker; returns that delay. */
    public Duration advanceToNextDeadline() {
        Duration next = awaitWaiters(1).get(0);
        advance(next);
        return next;
    }

    private void notifyChanged() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }
}
