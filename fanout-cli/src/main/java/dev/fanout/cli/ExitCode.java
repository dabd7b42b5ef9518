package dev.fanout.cli;

/** The command line's exit codes. */
public final class ExitCode {
    /** Every run succeeded (or there was nothing to do). */
    public static final int OK = 0;
    /** Some run failed or timed out, or an unexpected error. */
    public static final int FAILED = 1;
    /** Bad usage or bad input: nothing was started. */
    public static final int USAGE = 2;
    /** Interrupted (Ctrl-C, SIGTERM): runs in flight cancelled, the rest skipped. */
    public static final int INTERRUPTED = 130;

    private ExitCode() {}
}
