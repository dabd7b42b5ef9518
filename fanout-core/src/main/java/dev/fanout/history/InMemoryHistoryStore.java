package dev.fanout.history;

import dev.fanout.RunResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link HistoryStore#inMemory()}: the SQLite store's semantics on plain maps, one lock for everything. Its executions
 * all belong to this process, which cannot die while the store is read, so none is ever found dead. Parameters and
 * specs are kept as given (the caller already masked them), runs as recorded.
 */
final class InMemoryHistoryStore implements HistoryStore {
    private final Map<String, Batch> batches = new HashMap<>();
    private final String host = hostName();
    private boolean closed;

    private static final class Batch {
        final String id;
        final String job;
        final BatchSpec spec;
        final List<Map<String, String>> items;
        final Instant createdAt;
        final List<Execution> executions = new ArrayList<>();
        /** execution -> its parallelism changes, oldest first */
        final Map<Integer, List<dev.fanout.FanoutListener.ParallelismChange>> changes = new HashMap<>();
        /** index -> execution -> run */
        final Map<Integer, TreeMap<Integer, RunResult>> runs = new HashMap<>();
        String workflow;
        String task;

        Batch(String id, String job, BatchSpec spec, List<Map<String, String>> items, Instant createdAt) {
            this.id = id;
            this.job = job;
            this.spec = spec;
            this.items = List.copyOf(items);
            this.createdAt = createdAt;
        }
    }

    @Override
    public String location() {
        return "memory";
    }

    @Override
    public synchronized void createBatch(String batchId, String job, BatchSpec spec, List<Map<String, String>> items,
                                         Instant createdAt) {
        open();
        if (batches.containsKey(batchId)) {
            throw new HistoryException("batch " + batchId + " is already in the history (memory)");
        }
        batches.put(batchId, new Batch(batchId, job, spec, items.stream().map(Map::copyOf).toList(), createdAt));
    }

    @Override
    public synchronized void createTaskBatch(String workflowRunId, String task, String batchId, String job, BatchSpec spec,
                                             List<Map<String, String>> items, Instant createdAt) {
        known(workflowRunId);
        createBatch(batchId, job, spec, items, createdAt);
        batches.get(batchId).workflow = workflowRunId;
        batches.get(batchId).task = task;
    }

    @Override
    public synchronized List<BatchRecord> taskBatches(String workflowRunId) {
        open();
        return batches.values().stream().filter(b -> workflowRunId.equals(b.workflow))
                .sorted(java.util.Comparator.comparing((Batch b) -> b.createdAt).thenComparing(b -> b.id))
                .map(this::record).toList();
    }

    @Override
    public synchronized int startExecution(String batchId, BatchSpec spec, int parallelism, int taskSlots, Instant startedAt) {
        Batch b = known(batchId);
        int seq = b.executions.size() + 1;
        b.executions.add(new Execution(seq, ExecutionState.RUNNING, parallelism, taskSlots, spec, host,
                ProcessHandle.current().pid(), startedAt, null));
        return seq;
    }

    @Override
    public synchronized void recordRun(String batchId, int execution, RunResult run) {
        Batch b = known(batchId);
        execution(b, execution);
        if (run.index() < 0 || run.index() >= b.items.size()) {
            throw new HistoryException("batch " + batchId + " has no item " + run.index() + " (it has " + b.items.size() + ")");
        }
        b.runs.computeIfAbsent(run.index(), i -> new TreeMap<>()).put(execution, run);
    }

    @Override
    public synchronized void recordParallelismChange(String batchId, int execution,
                                                     dev.fanout.FanoutListener.ParallelismChange change) {
        Batch b = known(batchId);
        execution(b, execution);
        b.changes.computeIfAbsent(execution, e -> new ArrayList<>()).add(change);
    }

    @Override
    public synchronized List<dev.fanout.FanoutListener.ParallelismChange> parallelismChanges(String batchId, int execution) {
        open();
        Batch b = batches.get(batchId);
        return b == null ? List.of() : List.copyOf(b.changes.getOrDefault(execution, List.of()));
    }

    @Override
    public synchronized void heartbeat(String batchId, int execution, Instant now) {
        execution(known(batchId), execution); // a process that is alive: nothing to record in memory
    }

    @Override
    public synchronized void endExecution(String batchId, int execution, ExecutionState state, Instant endedAt,
                                          dev.fanout.BatchCost cost) {
        Batch b = known(batchId);
        Execution e = execution(b, execution);
        ExecutionState to;
        try {
            to = e.state().moveTo(state);
        } catch (IllegalStateException ex) {
            throw new HistoryException("execution " + execution + " of batch " + batchId + ": " + ex.getMessage(), ex);
        }
        b.executions.set(execution - 1, new Execution(e.seq(), to, e.parallelism(), e.taskSlots(), e.spec(), e.host(), e.pid(),
                e.startedAt(), endedAt, cost));
    }

    @Override
    public synchronized List<BatchRecord> batches(int limit) {
        open();
        return batches.values().stream().filter(b -> b.workflow == null)
                .sorted(Comparator.comparing((Batch b) -> b.createdAt).thenComparing(b -> b.id).reversed())
                .limit(limit).map(this::record).toList();
    }

    @Override
    public synchronized Optional<BatchRecord> batch(String batchId) {
        open();
        return Optional.ofNullable(batches.get(batchId)).map(this::record);
    }

    @Override
    public synchronized List<ItemRecord> items(String batchId) {
        open();
        Batch b = batches.get(batchId);
        if (b == null) {
            return List.of();
        }
        List<ItemRecord> out = new ArrayList<>(b.items.size());
        for (int i = 0; i < b.items.size(); i++) {
            TreeMap<Integer, RunResult> runs = b.runs.get(i);
            if (runs == null) {
                out.add(new ItemRecord(i, b.items.get(i), 0, null));
            } else {
                Map.Entry<Integer, RunResult> latest = runs.lastEntry();
                out.add(new ItemRecord(i, latest.getValue().params(), latest.getKey(), latest.getValue()));
            }
        }
        return out;
    }

    @Override
    public synchronized List<RunResult> runs(String batchId, int execution) {
        open();
        Batch b = batches.get(batchId);
        if (b == null) {
            return List.of();
        }
        return new TreeMap<>(b.runs).values().stream().map(m -> m.get(execution)).filter(r -> r != null).toList();
    }

    private BatchRecord record(Batch b) {
        Map<ItemState, Long> counts = new EnumMap<>(ItemState.class);
        long reached = 0;
        for (TreeMap<Integer, RunResult> runs : b.runs.values()) {
            counts.merge(ItemState.of(runs.lastEntry().getValue().outcome()), 1L, Long::sum);
            reached++;
        }
        counts.put(ItemState.PENDING, b.items.size() - reached);
        return BatchRecord.of(b.id, b.job, b.spec, b.items.size(), b.createdAt, b.executions, counts, b.workflow, b.task);
    }

    private Batch known(String batchId) {
        open();
        Batch b = batches.get(batchId);
        if (b == null) {
            throw new HistoryException("no batch " + batchId + " in the history (memory)");
        }
        return b;
    }

    private static Execution execution(Batch b, int seq) {
        if (seq < 1 || seq > b.executions.size()) {
            throw new HistoryException("batch " + b.id + " has no execution " + seq);
        }
        return b.executions.get(seq - 1);
    }

    private void open() {
        if (closed) {
            throw new HistoryException("the in-memory history is closed");
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        batches.clear();
    }
}
