package dev.fanout;

/** The job failed (after its retries); {@link #getCause()} is the job's own exception from the last attempt. */
public final class RunFailedException extends FanoutException {
    private static final long serialVersionUID = 1L;

    public RunFailedException(String message, Throwable cause, RunResult result) {
        super(message, cause, result);
    }
}
