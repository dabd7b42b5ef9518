package dev.fanout;

import java.util.Collection;
import java.util.TreeSet;

/** A parameter is missing or malformed. Names the parameter and the offending value; never retried. */
public final class BadParameterException extends NonRetryableException {
    private static final long serialVersionUID = 1L;
    private final String parameter;

    public BadParameterException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    static BadParameterException missing(String name, Collection<String> present) {
        return new BadParameterException(name, "missing required parameter '" + name + "' (parameters given: "
                + (present.isEmpty() ? "none" : String.join(", ", new TreeSet<>(present))) + ")");
    }

    /** The name of the offending parameter. */
    public String parameter() {
        return parameter;
    }
}
