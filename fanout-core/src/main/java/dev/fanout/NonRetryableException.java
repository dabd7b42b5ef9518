package dev.fanout;

/** Thrown by a job (or found anywhere in a failure's cause chain) to say that retrying cannot help. */
public class NonRetryableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NonRetryableException(String message) {
        super(message);
    }

    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
