package dev.fanout.internal.engine;

import dev.fanout.Outcome;
import java.util.EnumSet;
import java.util.Set;

/**
 * Where a run of a batch is in its life, with the moves allowed between states (after JobRunr's
 * {@code AllowedJobStateStateChanges}). Every move is checked ({@link #check}); {@link Outcome} is what the
 * public result reports once a run reached a final state.
 *
 * <pre>
 * UNCLAIMED --------------------------------------------------&gt; SKIPPED   (the batch stopped before it was read)
 * CLAIMED ----------------------------------------------------&gt; SKIPPED   (stopped before its first attempt)
 * CLAIMED --&gt; RUNNING --&gt; SUCCEEDED | FAILED | TIMED_OUT | CANCELLED
 *               ^   \
 *               |    `--&gt; RETRY_WAIT --&gt; FAILED | TIMED_OUT   (stopped during the backoff: the last failure stands)
 *               `-------------'
 * </pre>
 */
enum RunState {
    UNCLAIMED,
    CLAIMED,
    RUNNING,
    RETRY_WAIT,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELLED,
    SKIPPED;

    /** The states a run may move to from this one. */
    Set<RunState> next() {
        return switch (this) {
            case UNCLAIMED -> EnumSet.of(SKIPPED);
            case CLAIMED -> EnumSet.of(RUNNING, SKIPPED);
            case RUNNING -> EnumSet.of(RETRY_WAIT, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED);
            case RETRY_WAIT -> EnumSet.of(RUNNING, FAILED, TIMED_OUT);
            case SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, SKIPPED -> EnumSet.noneOf(RunState.class);
        };
    }

    boolean isFinal() {
        return next().isEmpty();
    }

    /** Checks the move {@code this -> to} and returns {@code to}; throws for a move the table does not allow. */
    RunState check(RunState to) {
        if (!next().contains(to)) {
            throw new IllegalStateException("a run cannot move from " + this + " to " + to);
        }
        return to;
    }

    /** The state a run ends in for an attempt's outcome. */
    static RunState of(Outcome outcome) {
        return valueOf(outcome.name());
    }

    /** The public outcome of a final state. */
    Outcome outcome() {
        if (!isFinal()) {
            throw new IllegalStateException(this + " is not a final state");
        }
        return Outcome.valueOf(name());
    }
}
