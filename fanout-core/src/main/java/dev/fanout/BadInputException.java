package dev.fanout;

/** Input the user must fix; the message names the file, line and field, or the option and value. */
public final class BadInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }
}
