package dev.fanout.workflow;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One entry of a task's {@code for_each}: the items, the variable each one is bound to ({@code as}), and at most how
 * many iterations of this loop run at once ({@code concurrency}, within the workflow's shared slots; empty: no cap of
 * its own). A task with several loops runs once per combination, the later loops nested in the earlier ones: a later
 * loop's items may use an earlier loop's variable.
 *
 * @param items where the items come from
 * @param as the loop variable's name, used as {@code {{NAME}}} and {@code {{NAME.FIELD}}}
 * @param concurrency the cap on this loop's iterations in flight; at least 1 when present
 * @param line the line of the loop in the workflow file
 */
public record Loop(Items items, String as, OptionalInt concurrency, int line) {
    public Loop {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(as, "as");
        Objects.requireNonNull(concurrency, "concurrency");
    }

    /** Where a loop's items come from. */
    public sealed interface Items permits Reference, Values, Range {}

    /**
     * A text that renders to a JSON array at run time, e.g. {@code {{tasks.apply_batch.value}}} (an upstream task's
     * value), {@code {{params.days}}} or an earlier loop's {@code {{region.days}}}.
     */
    public record Reference(Template template) implements Items {}

    /**
     * A list written in the file: each item is a String (a scalar) or, for an item that is a mapping or list, the
     * Map / List of Strings as the file has it (a mapping exposes its fields as {@code {{VAR.FIELD}}}).
     */
    public record Values(List<Object> values) implements Items {
        public Values {
            values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
        }
    }

    /**
     * {@code {range: "FROM..TO[:STEP]"}}: ISO dates (STEP in days) or integers, both ends included, as
     * {@link dev.fanout.Items#parseRange} reads it after {@code as=}.
     */
    public record Range(String spec) implements Items {}
}
