package dev.fanout;

/**
 * The order in which a batch starts its items.
 *
 * <p>A batch ends with its longest run: started last, it leaves cores idle while it runs alone. {@link #LONGEST_FIRST}
 * (the default) starts the items the history expects to take longest first, from the earlier runs of the same job
 * with the same parameters; items without an earlier run count as the median of those with one. Without a history,
 * or when no item has an earlier run, it is {@link #INPUT}. Either way, results stay in input order (each run keeps
 * its item's index).
 */
public enum Order {
    /** Longest expected duration first, where the history knows durations; otherwise input order. */
    LONGEST_FIRST,
    /** In the order the items are given. */
    INPUT;

    /** As the command line's {@code --order} spells it: {@code longest-first}, {@code input}. */
    public String spec() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * Reads {@link #spec()}'s text.
     *
     * @throws IllegalArgumentException quoting the text when it is neither
     */
    public static Order parse(String text) {
        for (Order o : values()) {
            if (o.spec().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return o;
            }
        }
        throw new IllegalArgumentException("order must be 'longest-first' or 'input', got '" + text + "'");
    }
}
