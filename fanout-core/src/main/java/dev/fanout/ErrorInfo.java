package dev.fanout;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A failure, kept as text so that results can be stored and printed after the exception is gone.
 *
 * <p>Also the one place that walks a cause chain ({@link #causeChain}, {@link #rootCause}) and cuts a message to its
 * first line ({@link #firstLine(String)}), for the library and the command line alike.
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
        return firstLine(message);
    }

    /**
     * {@code t} and its causes, outermost first; a cause seen before (a cycle, or an exception that is its own cause)
     * ends the chain. Empty for null.
     */
    public static List<Throwable> causeChain(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }

    /** The innermost cause of {@code t} ({@code t} itself when it has none): what a user can act on, under wrappers. */
    public static Throwable rootCause(Throwable t) {
        List<Throwable> chain = causeChain(t);
        return chain.isEmpty() ? null : chain.get(chain.size() - 1);
    }

    /** {@code text} up to its first line break ({@code "null"} for null), for one-line messages. */
    public static String firstLine(String text) {
        String s = String.valueOf(text);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r') {
                return s.substring(0, i);
            }
        }
        return s;
    }
}
