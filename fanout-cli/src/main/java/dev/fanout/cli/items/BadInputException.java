package dev.fanout.cli.items;

/** Input the user must fix; the message names the file, line and field, or the option and value. */
public final class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }
}
