package dev.fanout;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Hooks into a batch's life. Every method defaults to a no-op; implement the ones you need.
 *
 * <p>Methods are called from fanout's slot threads, concurrently for different runs; keep them
 * quick and thread-safe. An exception thrown by a listener is logged and otherwise ignored.
 */
public interface FanoutListener {

    default void onBatchStart(BatchStart batch) {}

    default void onBatchEnd(BatchResult result) {}

    /** An attempt of a run starts (called once per attempt). */
    default void onRunStart(RunStart run) {}

    /** A run has reached its final outcome (after all its attempts; also for skipped runs). */
    default void onRunEnd(RunResult result) {}

    /**
     * The runs allowed in flight changed because the cluster did (executors joined or left, with {@code
     * Parallelism.auto()}); called on a Spark listener thread, for the {@code Fanout}'s own listeners only. Runs in
     * flight are never cancelled by a lower value.
     */
    default void onParallelismChange(ParallelismChange change) {}

    /** An attempt failed and another one will start after {@code retry.delay()}. */
    default void onRetryScheduled(RetryScheduled retry) {}

    /** @param expectedRuns the number of items when known up front (a collection), else empty */
    record BatchStart(String batchId, String job, int parallelism, Instant startedAt, OptionalLong expectedRuns) {}

    /** @param slot the concurrency slot (0-based) whose scheduler pool the run uses */
    record RunStart(String batchId, int index, String runId, int attempt, int slot, String pool,
                    Map<String, String> params, Instant startedAt) {}

    /** @param explanation the new value with its reasoning, e.g. {@code 1 executor x 1 core / 1 core per run = 1 parallel run} */
    record ParallelismChange(int from, int to, String explanation, Instant at) {}

    record RetryScheduled(String batchId, int index, String runId, int failedAttempt, Duration delay, ErrorInfo error) {}
}
