package dev.fanout.workflow;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * When a task runs, given how the tasks it depends on ended; a task whose condition does not hold is skipped (not a
 * failure). A for-each task counts as failed when any of its iterations failed after its retries. The names are the
 * file's ({@code all_success}, …), as Databricks Jobs spells them in lower case.
 */
public enum RunIf {
    /** Every task it depends on succeeded (the default). */
    ALL_SUCCESS,
    /** Every task it depends on ended, however. */
    ALL_DONE,
    /** None of the tasks it depends on failed, and at least one ran. */
    NONE_FAILED,
    /** At least one of the tasks it depends on succeeded. */
    AT_LEAST_ONE_SUCCESS,
    /** At least one of the tasks it depends on failed. */
    AT_LEAST_ONE_FAILED,
    /** Every task it depends on failed. */
    ALL_FAILED;

    /** As the file writes it: {@code all_success}, …. */
    public String spec() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The value the file's text names ({@code all_success}, any case), if any. */
    public static Optional<RunIf> parse(String text) {
        String s = text == null ? "" : text.trim();
        return Arrays.stream(values()).filter(v -> v.spec().equalsIgnoreCase(s)).findFirst();
    }
}
