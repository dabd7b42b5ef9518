package dev.fanout.cli.console;

import dev.fanout.DurationFormat;
import dev.fanout.FanoutListener;
import dev.fanout.RunResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The batch's progress: run counts from the engine's events, drawn by a {@link ProgressLine}. */
public final class ProgressDisplay implements FanoutListener, AutoCloseable {
    private final long total;
    private final String job;
    private final long startNanos = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final ProgressLine progress;

    public ProgressDisplay(PrintStream err, boolean terminal, String job, long total, Duration plainEvery) {
        this.total = total;
        this.job = job;
        this.progress = new ProgressLine(err, terminal, plainEvery, total, done::get, this::line);
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

    public String line() {
        int d = done.get();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        String eta = d == 0 || d >= total ? "--" : DurationFormat.format(elapsed.multipliedBy(total - d).dividedBy(d));
        return String.format("%s %d/%d done, %d failed, %d running, %s elapsed, ETA %s", job, d, total, failed.get(),
                running.get(), DurationFormat.format(elapsed), eta);
    }

    @Override
    public void close() {
        progress.close();
    }
}
