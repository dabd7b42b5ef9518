package dev.fanout.cli;

import dev.fanout.DurationFormat;
import dev.fanout.FanoutListener;
import dev.fanout.RunResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The batch's progress on stderr: on a terminal, one bar redrawn in place; otherwise a plain line
 * every few seconds (logs and CI output stay readable).
 */
final class ProgressDisplay implements FanoutListener, AutoCloseable {
    private static final int BAR_WIDTH = 28;

    private final PrintStream err;
    private final boolean terminal;
    private final long total;
    private final String job;
    private final long startNanos = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final ScheduledExecutorService ticker;
    private volatile boolean drawn;

    ProgressDisplay(PrintStream err, boolean terminal, String job, long total, Duration plainEvery) {
        this.err = err;
        this.terminal = terminal;
        this.total = total;
        this.job = job;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fanout-progress");
            t.setDaemon(true);
            return t;
        });
        long every = terminal ? 250 : plainEvery.toMillis();
        ticker.scheduleAtFixedRate(this::draw, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onRunStart(RunStart run) {
        if (run.attempt() == 1) {
            running.incrementAndGet();
        }
    }

    @Override
    public void onRunEnd(RunResult result) {
        if (!result.attempts().isEmpty()) {
            running.decrementAndGet();
        }
        done.incrementAndGet();
        if (result.outcome().isFailure()) {
            failed.incrementAndGet();
        }
    }

    String line() {
        int d = done.get();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        String eta = d == 0 || d >= total ? "--" : DurationFormat.format(elapsed.multipliedBy(total - d).dividedBy(d));
        return String.format("%s %d/%d done, %d failed, %d running, %s elapsed, ETA %s", job, d, total, failed.get(),
                running.get(), DurationFormat.format(elapsed), eta);
    }

    private synchronized void draw() {
        if (terminal) {
            int d = done.get();
            int filled = total == 0 ? BAR_WIDTH : (int) (BAR_WIDTH * d / total);
            String bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
            err.print("\r\033[K[" + bar + "] " + line());
            drawn = true;
        } else {
            err.println("fanout: " + line());
        }
        err.flush();
    }

    /** Stops redrawing and clears the bar, so the summary starts on a clean line. */
    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        if (terminal && drawn) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
