package dev.fanout;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.ForeachFunction;

/** Task-side helpers for tests in local mode (tasks run in the test JVM, so statics are shared). */
final class TaskProbe {
    static final AtomicInteger INTERRUPTED = new AtomicInteger();
    static final AtomicInteger STARTED = new AtomicInteger();
    /** {@code System.nanoTime()} when a {@link #SLEEP_LONG} task last ended by an interrupt (tasks run in this JVM). */
    static final AtomicLong INTERRUPTED_AT = new AtomicLong();

    /** Holds its core for a minute unless Spark interrupts it. */
    static final ForeachFunction<Long> SLEEP_LONG = x -> sleepLong();
    /** Fails every time, inside the task. */
    static final ForeachFunction<Long> FAIL = x -> {
        throw new IllegalStateException("flaky source");
    };

    private TaskProbe() {}

    static void sleepLong() {
        STARTED.incrementAndGet();
        try {
            Thread.sleep(60_000);
        } catch (InterruptedException e) {
            INTERRUPTED_AT.set(System.nanoTime());
            INTERRUPTED.incrementAndGet();
            Thread.currentThread().interrupt();
        }
    }
}
