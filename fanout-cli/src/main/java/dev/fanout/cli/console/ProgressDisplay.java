package dev.fanout.cli.console;

import dev.fanout.DurationFormat;
import dev.fanout.FanoutListener;
import dev.fanout.Outcome;
import dev.fanout.Redaction;
import dev.fanout.RunResult;
import dev.fanout.report.Reports;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The batch's progress: run counts from the engine's events, drawn by a {@link ProgressLine}, and one line above it for
 * each run that fails or times out, the moment it does ({@link #failureLine}), so a long batch need not end before
 * its first failure can be looked at. Timed-out runs are counted apart from failed ones, as the summary counts them.
 */
public final class ProgressDisplay implements FanoutListener, AutoCloseable {
    private final long total;
    private final String job;
    private final Redaction redaction;
    private final long startNanos = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger timedOut = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final ProgressLine progress;

    /**
     * @param redaction masks secret parameters (and their values in error messages) in the failure lines: the engine's
     *                  events carry the real values
     */
    public ProgressDisplay(PrintStream err, boolean terminal, String job, long total, Duration plainEvery, Redaction redaction) {
        this.total = total;
        this.job = job;
        this.redaction = redaction;
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
        // the outcome before done: a redraw in between never shows a run done but not yet counted as failed
        if (result.outcome() == Outcome.TIMED_OUT) {
            timedOut.incrementAndGet();
        } else if (result.outcome() == Outcome.FAILED) {
            failed.incrementAndGet();
        }
        done.incrementAndGet();
        if (result.outcome().isFailure()) {
            progress.println(failureLine("", redaction.run(result)));
        }
    }

    /**
     * A run that failed or timed out, on one line: {@code fanout: #3 day=2024-01-04 failed (2 attempts, 4.1s):
     * IllegalStateException: no bookings}; {@code where} (a task's key and a space, or empty) goes before the index.
     * Pass a run whose secrets are masked.
     */
    public static String failureLine(String where, RunResult r) {
        int attempts = r.attempts().size();
        String error = r.error() == null ? "" : ": " + Reports.shortType(r.error().type()) + ": " + r.error().firstLine();
        return String.format("fanout: %s#%d %s %s (%d attempt%s, %s)%s", where, r.index(), Reports.params(r.params()),
                r.outcome() == Outcome.TIMED_OUT ? "timed out" : "failed", attempts, attempts == 1 ? "" : "s",
                DurationFormat.format(r.duration()), error);
    }

    public String line() {
        int d = done.get();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        String eta = d == 0 || d >= total ? "--" : DurationFormat.format(elapsed.multipliedBy(total - d).dividedBy(d));
        int t = timedOut.get();
        return String.format("%s %d/%d done, %d failed, %s%d running, %s elapsed, ETA %s", job, d, total, failed.get(),
                t == 0 ? "" : t + " timed out, ", running.get(), DurationFormat.format(elapsed), eta);
    }

    @Override
    public void close() {
        progress.close();
    }
}
