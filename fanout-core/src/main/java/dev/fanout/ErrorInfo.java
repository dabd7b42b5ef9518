package dev.fanout;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * A failure, kept as text so that results can be stored and printed after the exception is gone.
 *
 * @param type       the exception's class name
 * @param message    its message (the class name when it has none)
 * @param stackTrace the full stack trace, causes included
 */
public record ErrorInfo(String type, String message, String stackTrace) {

    public static ErrorInfo of(Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        String message = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
        return new ErrorInfo(t.getClass().getName(), message, trace.toString());
    }

    /** The first line of the message, for one-line summaries. */
    public String firstLine() {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
