package dev.fanout.cli.console;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A progress line on stderr: on a terminal, a bar with the line redrawn in place every 250 ms; otherwise the plain
 * line every {@code plainEvery} (logs and CI output stay readable).
 */
public final class ProgressLine implements AutoCloseable {
    private static final int BAR_WIDTH = 28;

    private final PrintStream err;
    private final boolean terminal;
    private final long total;
    private final LongSupplier done;
    private final Supplier<String> text;
    private final ScheduledExecutorService ticker;
    private boolean drawn;

    public ProgressLine(PrintStream err, boolean terminal, Duration plainEvery, long total, LongSupplier done, Supplier<String> text) {
        this.err = err;
        this.terminal = terminal;
        this.total = total;
        this.done = done;
        this.text = text;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fanout-progress");
            t.setDaemon(true);
            return t;
        });
        long every = terminal ? 250 : plainEvery.toMillis();
        ticker.scheduleAtFixedRate(this::draw, every, every, TimeUnit.MILLISECONDS);
    }

    private synchronized void draw() {
        if (terminal) {
            long d = done.getAsLong();
            int filled = total == 0 ? BAR_WIDTH : (int) Math.min(BAR_WIDTH, BAR_WIDTH * d / total);
            err.print("\r\033[K[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " + text.get());
            drawn = true;
        } else {
            err.println("fanout: " + text.get());
        }
        err.flush();
    }

    /**
     * Prints {@code line} above the progress: on a terminal the bar is cleared first and redrawn at the next tick, so
     * event lines (a task started or ended) and the live bar do not mix.
     */
    public synchronized void println(String line) {
        if (terminal && drawn) {
            err.print("\r\033[K");
            drawn = false;
        }
        err.println(line);
        err.flush();
    }

    /** Stops redrawing and clears the bar, so what follows starts on a clean line. */
    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        if (terminal && drawn) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
