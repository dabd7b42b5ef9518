package dev.fanout.rows;

import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * What a {@link RowFunction} knows about the call it is making: which attempt, in which partition, with what
 * deadline, and an executor for blocking work (bounded by the partition's concurrency).
 */
public interface RowCall {
    /** 1 for the first call of a row, 2 for its first retry, ... */
    int attempt();

    /** The Spark partition this row is in. */
    int partitionId();

    /** The per-call timeout (the call's future is failed with a timeout when it passes). */
    Duration timeout();

    /** Runs blocking work for this partition; {@link RowFunction#blocking} uses it. */
    ExecutorService blockingExecutor();
}
