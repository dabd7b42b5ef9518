package dev.fanout;

/** The run was cancelled (by {@link Fanout#abort}, an interrupt or JVM shutdown); its Spark jobs were cancelled. */
public final class RunCancelledException extends FanoutException {
    private static final long serialVersionUID = 1L;

    public RunCancelledException(String message, RunResult result) {
        super(message, null, result);
    }
}
