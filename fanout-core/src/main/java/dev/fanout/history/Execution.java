package dev.fanout.history;

import dev.fanout.BatchCost;
import java.time.Instant;

/**
 * One execution of a batch: the first run of its items, or a resume of those that did not succeed.
 *
 * @param seq         1 for the first execution, then 2, 3, ... for each resume
 * @param state       RUNNING until it ends; INTERRUPTED also when its process died while it ran (see {@link HistoryStore})
 * @param parallelism the runs it allowed at once when it started
 * @param taskSlots   the cluster's task slots when it started (for utilisation), 0 when unknown
 * @param spec        what it was started with (secrets masked)
 * @param endedAt     null while running; for a process that died, its last heartbeat
 * @param cost        where its time went, as measured when it ended ({@link dev.fanout.BatchResult#cost()}); null while
 *                    running, for a process that died, and for an execution not run by the engine (a workflow run's)
 */
public record Execution(int seq, ExecutionState state, int parallelism, int taskSlots, BatchSpec spec, String host, long pid,
                        Instant startedAt, Instant endedAt, BatchCost cost) {

    /** An execution without a recorded cost. */
    public Execution(int seq, ExecutionState state, int parallelism, int taskSlots, BatchSpec spec, String host, long pid,
                     Instant startedAt, Instant endedAt) {
        this(seq, state, parallelism, taskSlots, spec, host, pid, startedAt, endedAt, null);
    }
}
