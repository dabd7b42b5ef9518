package dev.fanout;

/** How a run (or one attempt of it) ended. */
public enum Outcome {
    /** The job returned normally. */
    SUCCEEDED,
    /** The job threw, and no retry was left or allowed. */
    FAILED,
    /** The run passed its deadline; its Spark jobs were cancelled and its tasks had stopped before the slot was reused. */
    TIMED_OUT,
    /** The run was in flight when the batch was stopped (fail-fast, abort, Ctrl-C); its Spark jobs were cancelled. */
    CANCELLED,
    /** The run never started because the batch was stopped first. */
    SKIPPED;

    /** True for the outcomes that count as a failure of the batch (exit code 1 on the command line). */
    public boolean isFailure() {
        return this == FAILED || this == TIMED_OUT;
    }
}
