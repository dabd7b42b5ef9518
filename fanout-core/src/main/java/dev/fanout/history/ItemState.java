package dev.fanout.history;

import dev.fanout.Outcome;
import java.util.EnumSet;
import java.util.Set;

/**
 * The state of one item of a recorded batch: PENDING until a run of it is recorded, then the outcome of its
 * latest run. Resume reruns every item that is not SUCCEEDED; a SUCCEEDED item is never run again, so it never
 * changes.
 */
public enum ItemState {
    PENDING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, SKIPPED;

    public static ItemState of(Outcome outcome) {
        return valueOf(outcome.name());
    }

    /** Whether a resume runs the item again. */
    public boolean resumable() {
        return this != SUCCEEDED;
    }

    /** The states a recorded run may move it to: any outcome from a state that is not SUCCEEDED; none from SUCCEEDED. */
    public Set<ItemState> next() {
        return this == SUCCEEDED ? EnumSet.noneOf(ItemState.class) : EnumSet.complementOf(EnumSet.of(PENDING));
    }

    public boolean canMoveTo(ItemState to) {
        return next().contains(to);
    }
}
