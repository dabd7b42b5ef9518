package dev.fanout.history;

import dev.fanout.BadInputException;
import dev.fanout.RunResult;
import dev.fanout.history.sqlite.SqliteHistoryStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where batches and their runs are recorded, so they outlive the process.
 *
 * <pre>{@code
 * try (HistoryStore store = HistoryStore.sqlite(HistoryStore.defaultPath())) {
 *     BatchRecord b = store.require(batchId);
 *     store.items(batchId).stream().filter(i -> i.state().resumable()).forEach(...);
 * }
 * }</pre>
 *
 * <p>{@link #sqlite(Path)} is the store of record; {@link #inMemory()} has the same semantics for tests and for a
 * library caller that needs no history after the process. An item's state is its latest run's outcome
 * ({@link ItemState}); a batch is SUCCEEDED once every item succeeded, else its latest execution's state.
 * Writes are durable when the method returns (a run recorded before the driver is killed is there afterwards).
 * Reads find executions whose process is gone while they were still RUNNING and mark them INTERRUPTED.
 * Implementations are thread-safe; the SQLite store may be shared by several processes. A write the store
 * cannot do (an unknown batch or execution, a batch id used twice, an execution ended twice) throws
 * {@link HistoryException}.
 */
public interface HistoryStore extends AutoCloseable {

    /**
     * Opens the SQLite history at {@code file}, creating it (readable by its owner only, in a directory made for it
     * when missing) or migrating it to the current schema.
     *
     * @throws HistoryException naming the file when it cannot be used: not a fanout history, a newer schema,
     *                          corrupt, or not writable
     */
    static HistoryStore sqlite(Path file) {
        return SqliteHistoryStore.open(file);
    }

    /** The default history file: {@code ~/.fanout/history.db}. */
    static Path defaultPath() {
        return Path.of(System.getProperty("user.home"), ".fanout", "history.db");
    }

    /** A history kept in this process's memory only, gone when it is closed or the process ends. */
    static HistoryStore inMemory() {
        return new InMemoryHistoryStore();
    }

    /** Where the history is, for messages: the file's absolute path, or {@code memory}. */
    String location();

    /**
     * Records a new batch and every one of its items, in one transaction.
     *
     * @param spec  how it was started (secrets already masked); its {@code itemsSource} says where the items came from
     * @param items every item's parameters, in input order, already redacted
     */
    void createBatch(String batchId, String job, BatchSpec spec, List<Map<String, String>> items, Instant createdAt);

    /**
     * Records the batch of one task of a recorded workflow run ({@link BatchRecord#isWorkflow()}): its items are the
     * task's iterations (one item for a task without loops). It is not listed by {@link #batches} (its workflow run
     * is) but read like any batch, and listed by {@link #taskBatches}.
     */
    void createTaskBatch(String workflowRunId, String task, String batchId, String job, BatchSpec spec,
                         List<Map<String, String>> items, Instant createdAt);

    /** The task batches of a workflow run, oldest first (a task run again with other items has more than one). */
    List<BatchRecord> taskBatches(String workflowRunId);

    /**
     * Starts the next execution of a batch, owned by this process, and returns its number (1 for the first).
     *
     * @param spec        what this execution runs with (secrets already masked)
     * @param parallelism the runs it allows at once now
     * @param taskSlots   the cluster's task slots now, 0 when unknown
     */
    int startExecution(String batchId, BatchSpec spec, int parallelism, int taskSlots, Instant startedAt);

    /**
     * Records one run's final outcome with its attempts and the parameters it ran with, in one transaction (params
     * and texts already redacted). A run recorded again in the same execution replaces the earlier one.
     */
    void recordRun(String batchId, int execution, RunResult run);

    /** Says the execution's process is alive (for stores shared across machines, where a PID check cannot tell). */
    void heartbeat(String batchId, int execution, Instant now);

    /**
     * Records a change of the runs allowed in flight during an execution ({@code Parallelism.adaptive()}'s decisions,
     * or executors joining and leaving), with its reason. A store that keeps no such changes ignores it.
     */
    default void recordParallelismChange(String batchId, int execution, dev.fanout.FanoutListener.ParallelismChange change) {}

    /** The changes of the runs allowed in flight {@link #recordParallelismChange recorded} for an execution, oldest first. */
    default List<dev.fanout.FanoutListener.ParallelismChange> parallelismChanges(String batchId, int execution) {
        return List.of();
    }

    /** Ends a RUNNING execution (see {@link ExecutionState#moveTo}); an execution ends once. */
    default void endExecution(String batchId, int execution, ExecutionState state, Instant endedAt) {
        endExecution(batchId, execution, state, endedAt, null);
    }

    /**
     * Ends a RUNNING execution with what it cost ({@link dev.fanout.BatchResult#cost()}; null when not measured), as
     * {@link #endExecution(String, int, ExecutionState, Instant)}.
     */
    void endExecution(String batchId, int execution, ExecutionState state, Instant endedAt, dev.fanout.BatchCost cost);

    /** Batches and workflow runs, newest first; not the batches of a workflow run's tasks. */
    List<BatchRecord> batches(int limit);

    Optional<BatchRecord> batch(String batchId);

    /**
     * The batch, or a {@link BadInputException} saying it is not in this history (the batch id is the user's input).
     */
    default BatchRecord require(String batchId) {
        return batch(batchId).orElseThrow(() -> new BadInputException("no batch '" + batchId + "' in history file "
                + location() + " ('fanout history' lists the batches there)"));
    }

    /** Every item of the batch, in index order, with its latest run; empty for an unknown batch. */
    List<ItemRecord> items(String batchId);

    /** The runs one execution recorded, in index order. */
    List<RunResult> runs(String batchId, int execution);

    /**
     * Every run of one item, one per execution that recorded it, oldest first: each as an {@link ItemRecord} with
     * that execution and run (its attempts with their times, errors and stack traces). Empty for an unknown batch or
     * index, or an item no execution has reached.
     */
    default List<ItemRecord> itemRuns(String batchId, int index) {
        List<ItemRecord> out = new java.util.ArrayList<>();
        batch(batchId).ifPresent(b -> b.executions().forEach(e -> runs(batchId, e.seq()).stream()
                .filter(r -> r.index() == index).findFirst()
                .ifPresent(r -> out.add(new ItemRecord(index, r.params(), e.seq(), r)))));
        return out;
    }

    @Override
    void close();
}
