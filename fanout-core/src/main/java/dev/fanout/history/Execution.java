package dev.fanout.history;

import java.time.Instant;

/**
 * One execution of a batch: the first run of its items, or a resume of those that did not succeed.
 *
 * @param seq         1 for the first execution, then 2, 3, ... for each resume
 * @param state       RUNNING, SUCCEEDED, FAILED or INTERRUPTED (also when its process died: see {@link HistoryStore})
 * @param taskSlots   the cluster's task slots when it started (for utilisation), 0 when unknown
 * @param options     the options it ran with, as the caller recorded them (JSON on the command line)
 * @param endedAt     null while running; for a process that died, its last heartbeat
 */
public record Execution(int seq, String state, int parallelism, int taskSlots, String options, String host, long pid,
                        Instant startedAt, Instant endedAt) {
    public static final String RUNNING = "RUNNING";
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";
    public static final String INTERRUPTED = "INTERRUPTED";
}
