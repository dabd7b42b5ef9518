package dev.fanout.history;

import dev.fanout.RunResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where batches and their runs are recorded, so they outlive the process: {@link SqliteHistoryStore} is the
 * default. Writes are durable when the method returns (a run recorded before the driver is killed is there
 * afterwards). Reads find executions whose process is gone while they were still RUNNING and mark them
 * INTERRUPTED. Implementations are thread-safe and may be shared by several processes.
 */
public interface HistoryStore extends AutoCloseable {

    /** Records a new batch and every one of its items (params already redacted), in one transaction. */
    void createBatch(String batchId, String job, String options, String itemsSource, List<Map<String, String>> items,
                     Instant createdAt);

    /** Starts the next execution of a batch and returns its number (1 for the first). */
    int startExecution(String batchId, int parallelism, int taskSlots, String options, Instant startedAt);

    /** Records one run's final outcome with its attempts, in one transaction (params and texts already redacted). */
    void recordRun(String batchId, int execution, RunResult run);

    /** Says the execution's process is alive (for stores shared across machines, where a PID check cannot tell). */
    void heartbeat(String batchId, int execution, Instant now);

    void endExecution(String batchId, int execution, String state, Instant endedAt);

    /** Batches, newest first. */
    List<BatchRecord> batches(int limit);

    Optional<BatchRecord> batch(String batchId);

    /** Every item of the batch, in index order, with its latest run. */
    List<ItemRecord> items(String batchId);

    /** The runs one execution recorded, in index order. */
    List<RunResult> runs(String batchId, int execution);

    @Override
    void close();
}
