package dev.fanout.internal.history;

import dev.fanout.history.BatchSpec;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryStore;
import dev.fanout.BatchResult;
import dev.fanout.FanoutListener;
import dev.fanout.Redaction;
import dev.fanout.RunResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one execution of a batch in a {@link HistoryStore}: add it as a listener of the {@code Fanout}
 * that runs the batch. Each run is written, redacted, in its own transaction the moment it ends, so a
 * driver killed mid-batch leaves every finished run recorded; the execution's end is written when the
 * batch ends. A heartbeat is written every {@value #HEARTBEAT_SECONDS} seconds in between.
 *
 * <p>If the store fails (disk full, locked for too long), the batch goes on; the first failure is logged
 * and reported by {@link #failure()}, so the caller can say the history is incomplete.
 */
public final class HistoryRecorder implements FanoutListener, AutoCloseable {
    static final int HEARTBEAT_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(HistoryRecorder.class);

    private final HistoryStore store;
    private final String batchId;
    private final int execution;
    private final Redaction redaction;
    private final ScheduledExecutorService heartbeat;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    private HistoryRecorder(HistoryStore store, String batchId, int execution, Redaction redaction) {
        this.store = store;
        this.batchId = batchId;
        this.execution = execution;
        this.redaction = redaction;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fanout-history-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(() -> write(() -> store.heartbeat(batchId, execution, Instant.now())),
                HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Records a new batch with all its items and starts its first execution; the spec and the items are stored
     * with their secrets masked by {@code redaction}.
     *
     * @param spec how the batch was started: what a resume starts it with again
     */
    public static HistoryRecorder newBatch(HistoryStore store, String batchId, String job, BatchSpec spec,
                                           List<Map<String, String>> items, Redaction redaction, int parallelism, int taskSlots) {
        Instant now = Instant.now();
        BatchSpec masked = spec.masked(redaction);
        store.createBatch(batchId, job, masked, items.stream().map(redaction::params).toList(), now);
        return new HistoryRecorder(store, batchId, store.startExecution(batchId, masked, parallelism, taskSlots, now), redaction);
    }

    /**
     * Records the batch of one task of the recorded workflow run {@code workflowRunId} with all its iterations, and
     * starts its first execution, as {@link #newBatch}.
     */
    public static HistoryRecorder newTaskBatch(HistoryStore store, String workflowRunId, String task, String batchId,
                                               String job, BatchSpec spec, List<Map<String, String>> items,
                                               Redaction redaction, int parallelism, int taskSlots) {
        Instant now = Instant.now();
        BatchSpec masked = spec.masked(redaction);
        store.createTaskBatch(workflowRunId, task, batchId, job, masked, items.stream().map(redaction::params).toList(), now);
        return new HistoryRecorder(store, batchId, store.startExecution(batchId, masked, parallelism, taskSlots, now), redaction);
    }

    /** Starts another execution of a recorded batch (a resume), with {@code spec} stored masked. */
    public static HistoryRecorder resume(HistoryStore store, String batchId, BatchSpec spec, Redaction redaction,
                                         int parallelism, int taskSlots) {
        return new HistoryRecorder(store, batchId,
                store.startExecution(batchId, spec.masked(redaction), parallelism, taskSlots, Instant.now()), redaction);
    }

    public String batchId() {
        return batchId;
    }

    public int execution() {
        return execution;
    }

    /** The first write that failed, or null when everything was recorded. */
    public RuntimeException failure() {
        return failure.get();
    }

    @Override
    public void onRunEnd(RunResult result) {
        write(() -> store.recordRun(batchId, execution, redaction.run(result)));
    }

    @Override
    public void onParallelismChange(ParallelismChange change) {
        write(() -> store.recordParallelismChange(batchId, execution, change));
    }

    @Override
    public void onBatchEnd(BatchResult result) {
        ExecutionState state = result.interrupted() ? ExecutionState.INTERRUPTED
                : result.succeeded() ? ExecutionState.SUCCEEDED : ExecutionState.FAILED;
        write(() -> store.endExecution(batchId, execution, state, result.endedAt(), result.cost()));
    }

    /** Ends the execution in {@code state} (for a batch that is not run by the engine: a workflow run's tasks). */
    public void end(ExecutionState state, Instant at) {
        write(() -> store.endExecution(batchId, execution, state, at));
    }

    private void write(Runnable w) {
        try {
            w.run();
        } catch (RuntimeException e) {
            if (failure.compareAndSet(null, e)) {
                LOG.error("recording batch {} in the history failed; the batch goes on, its history will be incomplete: {}",
                        batchId, e.getMessage());
            }
        }
    }

    /** Stops the heartbeat (the store stays open: it belongs to the caller). */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
