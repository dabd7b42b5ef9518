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

    // How the codes read in every command's --help ("Exit codes:"), as picocli's exitCodeList entries "CODE:meaning".
    // A command whose codes mean something more particular writes its own entries.
    /** The help's line for {@link #OK}. */
    public static final String LIST_OK = "0:every run succeeded";
    /** The help's line for {@link #FAILED}. */
    public static final String LIST_FAILED = "1:some run failed or timed out, or an unexpected error";
    /** The help's line for {@link #USAGE}. */
    public static final String LIST_USAGE = "2:bad usage or input: nothing was started";
    /** The help's line for {@link #INTERRUPTED}. */
    public static final String LIST_INTERRUPTED = "130:interrupted (Ctrl-C, SIGTERM): the runs in flight cancelled, the rest skipped";
    /** The heading of the exit codes in every command's --help. */
    public static final String LIST_HEADING = "%nExit codes:%n";

    private ExitCode() {}
}
