package dev.fanout.history;

/** The history store cannot be opened, read or written; the message names the file and says what to do. */
public final class HistoryException extends RuntimeException {
    public HistoryException(String message) {
        super(message);
    }

    public HistoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
