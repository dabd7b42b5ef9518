package dev.fanout;

/** The run passed its deadline; its Spark jobs were cancelled. */
public final class RunTimedOutException extends FanoutException {
    private static final long serialVersionUID = 1L;

    public RunTimedOutException(String message, RunResult result) {
        super(message, null, result);
    }
}
