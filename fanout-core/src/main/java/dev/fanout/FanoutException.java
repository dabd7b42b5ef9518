package dev.fanout;

/** Base of the exceptions {@link Fanout#run} throws; carries the run's result. */
public class FanoutException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient RunResult result;

    public FanoutException(String message, Throwable cause, RunResult result) {
        super(message, cause);
        this.result = result;
    }

    /** The run's full result, attempts included. */
    public RunResult result() {
        return result;
    }
}
