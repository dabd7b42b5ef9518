package dev.fanout.rows;

import java.util.concurrent.TimeUnit;

/**
 * Spaces the calls of one partition to its rate: the next call may start one interval after the previous one (no
 * bursts), and not before a pause the other side asked for ({@code Retry-After}) has passed.
 */
final class Pacer {
    private final long intervalNanos;
    private long next = Long.MIN_VALUE;
    private long pausedUntil = Long.MIN_VALUE;

    Pacer(double perSecond) {
        this.intervalNanos = perSecond > 0 ? (long) Math.ceil(1_000_000_000d / perSecond) : 0;
    }

    /** Waits until the next call may start, and books it. */
    void acquire() throws InterruptedException {
        long at;
        synchronized (this) {
            long now = System.nanoTime();
            at = now;
            if (next != Long.MIN_VALUE && next - at > 0) {
                at = next;
            }
            if (pausedUntil != Long.MIN_VALUE && pausedUntil - at > 0) {
                at = pausedUntil;
            }
            if (intervalNanos > 0) {
                next = at + intervalNanos;
            }
        }
        long wait = at - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        while (true) { // a pause asked for while we waited applies to this call too
            long pause;
            synchronized (this) {
                pause = pausedUntil == Long.MIN_VALUE ? 0 : pausedUntil - System.nanoTime();
            }
            if (pause <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(pause);
        }
    }

    /** No call starts before {@code nanoTime}. */
    synchronized void pauseUntil(long nanoTime) {
        if (pausedUntil == Long.MIN_VALUE || nanoTime - pausedUntil > 0) {
            pausedUntil = nanoTime;
        }
    }
}
