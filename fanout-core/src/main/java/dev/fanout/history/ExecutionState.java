package dev.fanout.history;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of one execution of a batch (its first run, or a resume). An execution starts RUNNING and ends
 * once: SUCCEEDED when every run it made succeeded, FAILED when one did not, INTERRUPTED when it was stopped
 * (Ctrl-C, abort) or its process died while it was RUNNING (found by the store on a later read).
 */
public enum ExecutionState {
    RUNNING, SUCCEEDED, FAILED, INTERRUPTED;

    /** Whether the execution has ended. */
    public boolean ended() {
        return this != RUNNING;
    }

    /** The states this one may move to: RUNNING to any end; an ended execution never changes. */
    public Set<ExecutionState> next() {
        return this == RUNNING ? EnumSet.of(SUCCEEDED, FAILED, INTERRUPTED) : EnumSet.noneOf(ExecutionState.class);
    }

    public boolean canMoveTo(ExecutionState to) {
        return next().contains(to);
    }

    /**
     * Checks a move.
     *
     * @throws IllegalStateException naming both states when the move is not allowed
     */
    public ExecutionState moveTo(ExecutionState to) {
        if (!canMoveTo(to)) {
            throw new IllegalStateException("an execution cannot go from " + this + " to " + to);
        }
        return to;
    }
}
