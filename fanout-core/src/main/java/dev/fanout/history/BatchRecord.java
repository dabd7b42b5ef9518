package dev.fanout.history;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A batch as the history knows it.
 *
 * @param job        the job's name as the engine reported it (the spec holds what loads it again)
 * @param spec       how its first execution was started (secrets masked)
 * @param counts     items by their latest state: the outcome of their latest run, or {@link ItemState#PENDING} for items
 *                   no execution has reached yet (every state present, zero included)
 * @param state      the latest execution's state, or SUCCEEDED once every item has succeeded; RUNNING before its first
 *                   execution starts
 * @param workflow   for the batch of one task of a workflow run: the workflow run's id (the batch holding the run's
 *                   tasks, see {@link #isWorkflow()}); null for a batch of its own
 * @param task       for the batch of one task of a workflow run: the task's key; else null
 */
public record BatchRecord(String id, String job, BatchSpec spec, int itemCount, Instant createdAt,
                          List<Execution> executions, Map<ItemState, Long> counts, ExecutionState state,
                          String workflow, String task) {

    public BatchRecord {
        executions = List.copyOf(executions);
        EnumMap<ItemState, Long> all = new EnumMap<>(ItemState.class);
        for (ItemState s : ItemState.values()) {
            all.put(s, counts.getOrDefault(s, 0L));
        }
        counts = Collections.unmodifiableMap(all);
    }

    /**
     * Whether this is a workflow run: its items are the workflow's tasks (in the file's order, each with a {@code task}
     * parameter), each task's latest run says how the task ended with its value, and the run's id is the id of the
     * batch of the task's iterations ({@link HistoryStore#taskBatches}).
     */
    public boolean isWorkflow() {
        return BatchSpec.WORKFLOW.equals(spec.itemsSource());
    }

    /** Whether this batch runs one task of a workflow run ({@link #workflow()}). */
    public boolean isTask() {
        return workflow != null;
    }

    /** Where its items came from, for people (a file, a range), or null. */
    public String itemsSource() {
        return spec.itemsSource();
    }

    public long count(ItemState state) {
        return counts.get(state);
    }

    /** The latest execution; the batch must have one. */
    public Execution latest() {
        return executions.get(executions.size() - 1);
    }

    /** Time spent running: the sum of its executions' wall times (a running one counts up to now). */
    public Duration busyTime() {
        Duration d = Duration.ZERO;
        for (Execution e : executions) {
            d = d.plus(Duration.between(e.startedAt(), e.endedAt() == null ? Instant.now() : e.endedAt()));
        }
        return d;
    }

    /**
     * A batch with its state derived from its executions and item counts: the latest execution's state, except
     * SUCCEEDED once that execution ended and every item succeeded (a resume may succeed where the first failed);
     * RUNNING before its first execution starts.
     */
    public static BatchRecord of(String id, String job, BatchSpec spec, int itemCount, Instant createdAt,
                                 List<Execution> executions, Map<ItemState, Long> counts) {
        return of(id, job, spec, itemCount, createdAt, executions, counts, null, null);
    }

    /** {@link #of(String, String, BatchSpec, int, Instant, List, Map)} for the batch of a workflow run's task. */
    public static BatchRecord of(String id, String job, BatchSpec spec, int itemCount, Instant createdAt,
                                 List<Execution> executions, Map<ItemState, Long> counts, String workflow, String task) {
        ExecutionState state = ExecutionState.RUNNING;
        if (!executions.isEmpty()) {
            ExecutionState latest = executions.get(executions.size() - 1).state();
            state = latest.ended() && counts.getOrDefault(ItemState.SUCCEEDED, 0L) == itemCount ? ExecutionState.SUCCEEDED : latest;
        }
        return new BatchRecord(id, job, spec, itemCount, createdAt, executions, counts, state, workflow, task);
    }
}
