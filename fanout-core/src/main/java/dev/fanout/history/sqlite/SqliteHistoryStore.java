package dev.fanout.history.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.Attempt;
import dev.fanout.BatchCost;
import dev.fanout.FanoutListener;
import dev.fanout.ErrorInfo;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.SparkMetrics;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.Execution;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryException;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The history in one SQLite file (xerial sqlite-jdbc, the SQLite library embedded in the jar): the queries and the
 * mapping of rows to records. {@link HistoryStore#sqlite(Path)} opens it; {@link SqliteFile} creates and opens the
 * file, {@link Schema} holds the tables and their migrations, {@link ProcessLiveness} finds dead executions.
 *
 * <h2>Durability and sharing</h2>
 * WAL journal with {@code synchronous=NORMAL}: each run is one transaction, committed to the WAL before
 * {@link #recordRun} returns, so it survives the process being killed ({@code kill -9}); only a power loss
 * may lose the last commits. Several processes may write at once: writers take the lock at the start of
 * a transaction ({@code BEGIN IMMEDIATE}) and wait up to the busy timeout for each other. Between transactions
 * the connection holds no lock.
 *
 * <h2>Latest run</h2>
 * An item's state is its latest run's outcome, the run with the highest execution number ({@code max(seq)}); its
 * parameters are those that run ran with (a resume may override some), or those recorded with the batch before any
 * run, or for runs recorded by schema version 1.
 *
 * <h2>Dead executions</h2>
 * A reader that finds an execution still RUNNING asks {@link ProcessLiveness} whether its process is gone; if so the
 * execution is marked INTERRUPTED, ending at its last heartbeat.
 */
public final class SqliteHistoryStore implements HistoryStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> PARAMS = new TypeReference<>() {};
    private static final String LATEST_RUN = "(SELECT max(seq) FROM run x WHERE x.batch_id = %1$s.batch_id AND x.idx = %1$s.idx)";

    /** The most characters of a stack trace the history keeps ({@link #bounded}). */
    static final int MAX_TRACE = 32_000;

    private final Path file;
    private final Connection conn;
    private final ProcessLiveness liveness = new ProcessLiveness();
    private final PreparedStatement insertRun;
    private final PreparedStatement insertAttempt;
    private final PreparedStatement beat;
    private final PreparedStatement begin;
    private final PreparedStatement beginRead;
    private final PreparedStatement commit;
    private final PreparedStatement rollback;

    private SqliteHistoryStore(Path file, Connection conn) throws SQLException {
        this.file = file;
        this.conn = conn;
        this.insertRun = conn.prepareStatement("INSERT OR REPLACE INTO run (batch_id, idx, seq, run_id, outcome, exit_value,"
                + " started_at, ended_at, params, error_type, error_message, error_trace) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
        this.insertAttempt = conn.prepareStatement(
                "INSERT OR REPLACE INTO attempt (batch_id, idx, seq, number, job_group, slot, started_at, ended_at, outcome,"
                + " error_type, error_message, error_trace, jobs, stages, tasks, task_ms, cpu_ns, input_bytes, input_records,"
                + " shuffle_read_bytes, shuffle_write_bytes, spilled_bytes, driver_cpu_ns, wait_ns)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        this.beat = conn.prepareStatement("UPDATE execution SET heartbeat_at = ? WHERE batch_id = ? AND seq = ?");
        this.begin = conn.prepareStatement("BEGIN IMMEDIATE");
        this.beginRead = conn.prepareStatement("BEGIN DEFERRED");
        this.commit = conn.prepareStatement("COMMIT");
        this.rollback = conn.prepareStatement("ROLLBACK");
    }

    /** See {@link HistoryStore#sqlite(Path)}. */
    public static SqliteHistoryStore open(Path file) {
        return open(file, 30_000);
    }

    /** As {@link #open(Path)}, waiting at most {@code busyTimeoutMillis} for another writer's lock. */
    static SqliteHistoryStore open(Path file, int busyTimeoutMillis) {
        Path abs = file.toAbsolutePath().normalize();
        Connection conn = SqliteFile.open(abs, busyTimeoutMillis);
        try {
            return new SqliteHistoryStore(abs, conn);
        } catch (SQLException e) {
            SqliteFile.closeQuietly(conn);
            throw SqliteFile.error(abs, "open", e);
        }
    }

    @Override
    public String location() {
        return file.toString();
    }

    // ---------------------------------------------------------------------------------------------- writes

    @Override
    public synchronized void createBatch(String batchId, String job, BatchSpec spec, List<Map<String, String>> items,
                                         Instant createdAt) {
        insertBatch(null, null, batchId, job, spec, items, createdAt);
    }

    @Override
    public synchronized void createTaskBatch(String workflowRunId, String task, String batchId, String job, BatchSpec spec,
                                             List<Map<String, String>> items, Instant createdAt) {
        insertBatch(java.util.Objects.requireNonNull(workflowRunId, "workflowRunId"),
                java.util.Objects.requireNonNull(task, "task"), batchId, job, spec, items, createdAt);
    }

    private void insertBatch(String workflow, String task, String batchId, String job, BatchSpec spec,
                             List<Map<String, String>> items, Instant createdAt) {
        inTransaction("create batch " + batchId, () -> {
            if (workflow != null) {
                try (PreparedStatement q = conn.prepareStatement("SELECT 1 FROM batch WHERE id = ?")) {
                    q.setString(1, workflow);
                    try (ResultSet rs = q.executeQuery()) {
                        if (!rs.next()) {
                            throw new HistoryException("no workflow run " + workflow + " in history file " + file
                                    + " for task batch " + batchId);
                        }
                    }
                }
            }
            try (PreparedStatement b = conn.prepareStatement("INSERT INTO batch (id, job, spec, items_source, item_count,"
                    + " created_at, workflow, task) VALUES (?,?,?,?,?,?,?,?)");
                 PreparedStatement i = conn.prepareStatement("INSERT INTO item VALUES (?,?,?)")) {
                b.setString(1, batchId);
                b.setString(2, job);
                b.setString(3, spec.toJson());
                b.setString(4, spec.itemsSource());
                b.setInt(5, items.size());
                b.setLong(6, createdAt.toEpochMilli());
                b.setString(7, workflow);
                b.setString(8, task);
                b.executeUpdate();
                for (int n = 0; n < items.size(); n++) {
                    i.setString(1, batchId);
                    i.setInt(2, n);
                    i.setString(3, json(items.get(n)));
                    i.addBatch();
                }
                i.executeBatch();
            }
            return null;
        });
    }

    @Override
    public int startExecution(String batchId, BatchSpec spec, int parallelism, int taskSlots, Instant startedAt) {
        return startExecution(batchId, spec, parallelism, taskSlots, startedAt, ProcessHandle.current());
    }

    /** As {@link #startExecution(String, BatchSpec, int, int, Instant)}, owned by {@code owner} (tests: a process that dies). */
    synchronized int startExecution(String batchId, BatchSpec spec, int parallelism, int taskSlots, Instant startedAt,
                                    ProcessHandle owner) {
        return inTransaction("start an execution of " + batchId, () -> {
            int seq;
            try (PreparedStatement q = conn.prepareStatement("SELECT (SELECT count(*) FROM batch WHERE id = ?),"
                    + " (SELECT coalesce(max(seq), 0) + 1 FROM execution WHERE batch_id = ?)")) {
                q.setString(1, batchId);
                q.setString(2, batchId);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        throw new HistoryException("no batch " + batchId + " in history file " + file + " to start an execution of");
                    }
                    seq = rs.getInt(2);
                }
            }
            try (PreparedStatement e = conn.prepareStatement("INSERT INTO execution (batch_id, seq, state, parallelism,"
                    + " task_slots, spec, host, pid, pid_started, started_at, ended_at, heartbeat_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                e.setString(1, batchId);
                e.setInt(2, seq);
                e.setString(3, ExecutionState.RUNNING.name());
                e.setInt(4, parallelism);
                e.setInt(5, taskSlots);
                e.setString(6, spec.toJson());
                e.setString(7, liveness.host());
                e.setLong(8, owner.pid());
                e.setLong(9, ProcessLiveness.startMillis(owner));
                e.setLong(10, startedAt.toEpochMilli());
                e.setNull(11, Types.INTEGER);
                e.setLong(12, startedAt.toEpochMilli());
                e.executeUpdate();
            }
            return seq;
        });
    }

    @Override
    public synchronized void recordRun(String batchId, int execution, RunResult run) {
        inTransaction("record run " + run.runId(), () -> {
            // the heartbeat first: it finds the execution, so a run is never recorded under one that does not exist
            beat(batchId, execution, Instant.now());
            insertRun.setString(1, batchId);
            insertRun.setInt(2, run.index());
            insertRun.setInt(3, execution);
            insertRun.setString(4, run.runId());
            insertRun.setString(5, run.outcome().name());
            insertRun.setString(6, run.exitValue());
            setTime(insertRun, 7, run.startedAt());
            setTime(insertRun, 8, run.endedAt());
            insertRun.setString(9, json(run.params()));
            // a run without attempts (a workflow's task, a skipped run) keeps its own error; otherwise its attempts say it
            ErrorInfo own = run.attempts().isEmpty() ? run.error() : null;
            insertRun.setString(10, own == null ? null : own.type());
            insertRun.setString(11, own == null ? null : own.message());
            insertRun.setString(12, own == null ? null : bounded(own.stackTrace()));
            insertRun.executeUpdate();
            for (Attempt a : run.attempts()) {
                PreparedStatement p = insertAttempt;
                p.setString(1, batchId);
                p.setInt(2, run.index());
                p.setInt(3, execution);
                p.setInt(4, a.number());
                p.setString(5, a.jobGroup());
                p.setInt(6, a.slot());
                p.setLong(7, a.startedAt().toEpochMilli());
                p.setLong(8, a.endedAt().toEpochMilli());
                p.setString(9, a.outcome().name());
                ErrorInfo e = a.error();
                p.setString(10, e == null ? null : e.type());
                p.setString(11, e == null ? null : e.message());
                p.setString(12, e == null ? null : bounded(e.stackTrace()));
                SparkMetrics m = a.metrics();
                long[] v = {m.jobs(), m.stages(), m.tasks(), m.taskTimeMillis(), m.cpuTimeNanos(), m.inputBytes(),
                        m.inputRecords(), m.shuffleReadBytes(), m.shuffleWriteBytes(), m.spilledBytes(), m.driverCpuNanos(),
                        m.waitNanos()};
                for (int k = 0; k < v.length; k++) {
                    p.setLong(13 + k, v[k]);
                }
                p.addBatch();
            }
            insertAttempt.executeBatch();
            return null;
        });
    }

    /**
     * A stack trace as stored: at most {@value #MAX_TRACE} characters, its head (the exception and the frames where it
     * was thrown) and its tail (the root cause, last in a printed trace) with the number of characters left out between
     * them. Secrets are masked before (the recorder redacts the run), so a cut never leaves part of one behind.
     */
    static String bounded(String trace) {
        if (trace == null || trace.length() <= MAX_TRACE) {
            return trace;
        }
        int head = MAX_TRACE * 3 / 4;
        int tail = MAX_TRACE - head;
        return trace.substring(0, head) + "\n\t... " + (trace.length() - head - tail) + " characters left out ...\n"
                + trace.substring(trace.length() - tail);
    }

    @Override
    public synchronized void recordParallelismChange(String batchId, int execution, FanoutListener.ParallelismChange change) {
        inTransaction("record a parallelism change of " + batchId, () -> {
            try (PreparedStatement q = conn.prepareStatement("SELECT 1 FROM execution WHERE batch_id = ? AND seq = ?")) {
                q.setString(1, batchId);
                q.setInt(2, execution);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) {
                        throw noExecution(batchId, execution);
                    }
                }
            }
            try (PreparedStatement p = conn.prepareStatement(
                    "INSERT INTO parallelism_change (batch_id, seq, at, from_n, to_n, reason) VALUES (?,?,?,?,?,?)")) {
                p.setString(1, batchId);
                p.setInt(2, execution);
                p.setLong(3, change.at().toEpochMilli());
                p.setInt(4, change.from());
                p.setInt(5, change.to());
                p.setString(6, change.explanation() == null ? "" : change.explanation());
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public synchronized List<FanoutListener.ParallelismChange> parallelismChanges(String batchId, int execution) {
        return reading("read the parallelism changes of " + batchId, () -> {
            List<FanoutListener.ParallelismChange> out = new ArrayList<>();
            try (PreparedStatement q = conn.prepareStatement("SELECT from_n, to_n, reason, at FROM parallelism_change"
                    + " WHERE batch_id = ? AND seq = ? ORDER BY at, rowid")) {
                q.setString(1, batchId);
                q.setInt(2, execution);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new FanoutListener.ParallelismChange(rs.getInt(1), rs.getInt(2), rs.getString(3),
                                Instant.ofEpochMilli(rs.getLong(4))));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public synchronized void heartbeat(String batchId, int execution, Instant now) {
        inTransaction("heartbeat", () -> {
            beat(batchId, execution, now);
            return null;
        });
    }

    private void beat(String batchId, int execution, Instant now) throws SQLException {
        beat.setLong(1, now.toEpochMilli());
        beat.setString(2, batchId);
        beat.setInt(3, execution);
        if (beat.executeUpdate() == 0) {
            throw noExecution(batchId, execution);
        }
    }

    @Override
    public synchronized void endExecution(String batchId, int execution, ExecutionState state, Instant endedAt,
                                          BatchCost cost) {
        inTransaction("end an execution of " + batchId, () -> {
            ExecutionState now;
            try (PreparedStatement q = conn.prepareStatement("SELECT state FROM execution WHERE batch_id = ? AND seq = ?")) {
                q.setString(1, batchId);
                q.setInt(2, execution);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) {
                        throw noExecution(batchId, execution);
                    }
                    now = ExecutionState.valueOf(rs.getString(1));
                }
            }
            ExecutionState to = moved(batchId, execution, now, state);
            try (PreparedStatement e = conn.prepareStatement("UPDATE execution SET state = ?, ended_at = ?, heartbeat_at = ?,"
                    + " cost_process_cpu_ns = ?, cost_driver_cpu_ns = ?, cost_executor_cpu_ns = ?, cost_task_ms = ?,"
                    + " cost_wait_ns = ?, cost_wall_ns = ?, cost_driver_cores = ?, cost_task_slots = ?, cost_local = ?"
                    + " WHERE batch_id = ? AND seq = ?")) {
                e.setString(1, to.name());
                e.setLong(2, endedAt.toEpochMilli());
                e.setLong(3, endedAt.toEpochMilli());
                Object[] c = cost == null ? new Object[9] : new Object[] {cost.processCpuNanos(), cost.driverCpuNanos(),
                        cost.executorCpuNanos(), cost.taskTimeMillis(), cost.waitNanos(), cost.wallNanos(), cost.driverCores(),
                        cost.taskSlots(), cost.local() ? 1 : 0};
                for (int k = 0; k < c.length; k++) {
                    if (c[k] == null) {
                        e.setNull(4 + k, Types.INTEGER);
                    } else {
                        e.setLong(4 + k, ((Number) c[k]).longValue());
                    }
                }
                e.setString(13, batchId);
                e.setInt(14, execution);
                e.executeUpdate();
            }
            return null;
        });
    }

    private static ExecutionState moved(String batchId, int execution, ExecutionState from, ExecutionState to) {
        try {
            return from.moveTo(to);
        } catch (IllegalStateException e) {
            throw new HistoryException("execution " + execution + " of batch " + batchId + ": " + e.getMessage(), e);
        }
    }

    private HistoryException noExecution(String batchId, int execution) {
        return new HistoryException("batch " + batchId + " has no execution " + execution + " in history file " + file);
    }

    // ----------------------------------------------------------------------------------------------- reads

    @Override
    public synchronized List<BatchRecord> batches(int limit) {
        return listBatches("list batches", "SELECT id FROM batch WHERE workflow IS NULL ORDER BY created_at DESC, id DESC LIMIT ?",
                q -> q.setInt(1, limit));
    }

    @Override
    public synchronized List<BatchRecord> taskBatches(String workflowRunId) {
        return listBatches("list the tasks of " + workflowRunId,
                "SELECT id FROM batch WHERE workflow = ? ORDER BY created_at, id", q -> q.setString(1, workflowRunId));
    }

    private interface Binder {
        void bind(PreparedStatement q) throws SQLException;
    }

    private List<BatchRecord> listBatches(String what, String sql, Binder binder) {
        markDead(null);
        List<String> ids = reading(what, () -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement q = conn.prepareStatement(sql)) {
                binder.bind(q);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
        List<BatchRecord> out = new ArrayList<>();
        for (String id : ids) {
            readBatch(id).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public synchronized Optional<BatchRecord> batch(String batchId) {
        markDead(batchId);
        return readBatch(batchId);
    }

    private Optional<BatchRecord> readBatch(String batchId) {
        return reading("read batch " + batchId, () -> {
            String job;
            BatchSpec spec;
            int count;
            Instant created;
            String workflow;
            String task;
            try (PreparedStatement q = conn.prepareStatement(
                    "SELECT job, spec, item_count, created_at, workflow, task FROM batch WHERE id = ?")) {
                q.setString(1, batchId);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    job = rs.getString(1);
                    spec = spec(rs.getString(2));
                    count = rs.getInt(3);
                    created = Instant.ofEpochMilli(rs.getLong(4));
                    workflow = rs.getString(5);
                    task = rs.getString(6);
                }
            }
            List<Execution> executions = new ArrayList<>();
            try (PreparedStatement q = conn.prepareStatement("SELECT seq, state, parallelism, task_slots, spec, host, pid,"
                    + " started_at, ended_at, cost_process_cpu_ns, cost_driver_cpu_ns, cost_executor_cpu_ns, cost_task_ms,"
                    + " cost_wait_ns, cost_wall_ns, cost_driver_cores, cost_task_slots, cost_local"
                    + " FROM execution WHERE batch_id = ? ORDER BY seq")) {
                q.setString(1, batchId);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        long process = rs.getLong(10);
                        BatchCost cost = rs.wasNull() ? null : new BatchCost(process, rs.getLong(11), rs.getLong(12),
                                rs.getLong(13), rs.getLong(14), rs.getLong(15), rs.getInt(16), rs.getInt(17), rs.getInt(18) != 0);
                        executions.add(new Execution(rs.getInt(1), ExecutionState.valueOf(rs.getString(2)), rs.getInt(3),
                                rs.getInt(4), spec(rs.getString(5)), rs.getString(6), rs.getLong(7),
                                Instant.ofEpochMilli(rs.getLong(8)), time(rs, 9), cost));
                    }
                }
            }
            Map<ItemState, Long> counts = new EnumMap<>(ItemState.class);
            long reached = 0;
            try (PreparedStatement q = conn.prepareStatement("SELECT r.outcome, count(*) FROM run r WHERE r.batch_id = ?"
                    + " AND r.seq = " + LATEST_RUN.formatted("r") + " GROUP BY r.outcome")) {
                q.setString(1, batchId);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        counts.put(ItemState.of(Outcome.valueOf(rs.getString(1))), rs.getLong(2));
                        reached += rs.getLong(2);
                    }
                }
            }
            counts.put(ItemState.PENDING, Math.max(0, count - reached));
            return Optional.of(BatchRecord.of(batchId, job, spec, count, created, executions, counts, workflow, task));
        });
    }

    @Override
    public synchronized List<ItemRecord> items(String batchId) {
        markDead(batchId);
        return reading("read the items of " + batchId, () -> {
            Map<Long, List<Attempt>> attempts = attempts(batchId, "a.seq = " + LATEST_RUN.formatted("a"), 0);
            List<ItemRecord> out = new ArrayList<>();
            try (PreparedStatement q = conn.prepareStatement("SELECT i.idx, coalesce(r.params, i.params), r.seq, r.run_id,"
                    + " r.outcome, r.exit_value, r.started_at, r.ended_at, r.error_type, r.error_message, r.error_trace"
                    + " FROM item i LEFT JOIN run r"
                    + " ON r.batch_id = i.batch_id AND r.idx = i.idx AND r.seq = " + LATEST_RUN.formatted("i")
                    + " WHERE i.batch_id = ? ORDER BY i.idx")) {
                q.setString(1, batchId);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        int idx = rs.getInt(1);
                        Map<String, String> params = params(rs.getString(2));
                        int seq = rs.getInt(3);
                        RunResult run = rs.wasNull() ? null : run(rs, idx, params, 4, attempts.getOrDefault(key(idx, seq), List.of()));
                        out.add(new ItemRecord(idx, params, run == null ? 0 : seq, run));
                    }
                }
            }
            return out;
        });
    }

    /** A run's columns from column 2 on, as {@code run(rs, ..., 3, ...)} reads them, over runs joined with their items. */
    private static final String RUN_COLUMNS = "coalesce(r.params, i.params), r.run_id, r.outcome, r.exit_value, r.started_at,"
            + " r.ended_at, r.error_type, r.error_message, r.error_trace FROM run r JOIN item i ON i.batch_id = r.batch_id AND i.idx = r.idx";

    @Override
    public synchronized List<RunResult> runs(String batchId, int execution) {
        return reading("read the runs of " + batchId, () -> {
            Map<Long, List<Attempt>> attempts = attempts(batchId, "a.seq = ?", execution);
            List<RunResult> out = new ArrayList<>();
            try (PreparedStatement q = conn.prepareStatement("SELECT r.idx, " + RUN_COLUMNS
                    + " WHERE r.batch_id = ? AND r.seq = ? ORDER BY r.idx")) {
                q.setString(1, batchId);
                q.setInt(2, execution);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        int idx = rs.getInt(1);
                        out.add(run(rs, idx, params(rs.getString(2)), 3, attempts.getOrDefault(key(idx, execution), List.of())));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public synchronized List<ItemRecord> itemRuns(String batchId, int index) {
        markDead(batchId);
        return reading("read the runs of item " + index + " of " + batchId, () -> {
            Map<Long, List<Attempt>> attempts = attempts(batchId, "a.idx = ?", index);
            List<ItemRecord> out = new ArrayList<>();
            try (PreparedStatement q = conn.prepareStatement("SELECT r.seq, " + RUN_COLUMNS
                    + " WHERE r.batch_id = ? AND r.idx = ? ORDER BY r.seq")) {
                q.setString(1, batchId);
                q.setInt(2, index);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        int seq = rs.getInt(1);
                        Map<String, String> params = params(rs.getString(2));
                        out.add(new ItemRecord(index, params, seq,
                                run(rs, index, params, 3, attempts.getOrDefault(key(index, seq), List.of()))));
                    }
                }
            }
            return out;
        });
    }

    /**
     * A run from columns col (run id), col+1 (outcome), col+2 (exit value), col+3 and col+4 (times), col+5..7 (the
     * error of a run without attempts).
     */
    private static RunResult run(ResultSet rs, int idx, Map<String, String> params, int col, List<Attempt> attempts)
            throws SQLException {
        Outcome outcome = Outcome.valueOf(rs.getString(col + 1));
        String ownType = rs.getString(col + 5);
        ErrorInfo error = !attempts.isEmpty() ? attempts.get(attempts.size() - 1).error()
                : ownType == null ? null : new ErrorInfo(ownType, rs.getString(col + 6), rs.getString(col + 7));
        return new RunResult(idx, rs.getString(col), params, outcome, rs.getString(col + 2), attempts,
                time(rs, col + 3), time(rs, col + 4), error);
    }

    private Map<Long, List<Attempt>> attempts(String batchId, String where, int seq) throws SQLException {
        Map<Long, List<Attempt>> out = new HashMap<>();
        try (PreparedStatement q = conn.prepareStatement("SELECT a.idx, a.seq, a.number, a.job_group, a.slot, a.started_at,"
                + " a.ended_at, a.outcome, a.error_type, a.error_message, a.error_trace, a.jobs, a.stages, a.tasks, a.task_ms,"
                + " a.cpu_ns, a.input_bytes, a.input_records, a.shuffle_read_bytes, a.shuffle_write_bytes, a.spilled_bytes,"
                + " a.driver_cpu_ns, a.wait_ns FROM attempt a WHERE a.batch_id = ? AND " + where + " ORDER BY a.idx, a.seq, a.number")) {
            q.setString(1, batchId);
            if (where.contains("?")) {
                q.setInt(2, seq);
            }
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    String type = rs.getString(9);
                    ErrorInfo error = type == null ? null : new ErrorInfo(type, rs.getString(10), rs.getString(11));
                    SparkMetrics m = new SparkMetrics(rs.getLong(12), rs.getLong(13), rs.getLong(14), rs.getLong(15),
                            rs.getLong(16), rs.getLong(17), rs.getLong(18), rs.getLong(19), rs.getLong(20), rs.getLong(21),
                            rs.getLong(22), rs.getLong(23));
                    Attempt a = new Attempt(rs.getInt(3), rs.getString(4), rs.getInt(5), Instant.ofEpochMilli(rs.getLong(6)),
                            Instant.ofEpochMilli(rs.getLong(7)), Outcome.valueOf(rs.getString(8)), error, m);
                    out.computeIfAbsent(key(rs.getInt(1), rs.getInt(2)), k -> new ArrayList<>()).add(a);
                }
            }
        }
        return out;
    }

    private static long key(int idx, int seq) {
        return ((long) idx << 20) | seq;
    }

    /** Marks RUNNING executions whose process is gone as INTERRUPTED (of one batch, or of all when null). */
    private void markDead(String batchId) {
        record Running(String batch, int seq, ProcessLiveness.Owner owner) {}
        List<Running> running = reading("check running executions", () -> {
            List<Running> out = new ArrayList<>();
            try (PreparedStatement q = conn.prepareStatement("SELECT batch_id, seq, host, pid, pid_started, heartbeat_at"
                    + " FROM execution WHERE state = ?" + (batchId == null ? "" : " AND batch_id = ?"))) {
                q.setString(1, ExecutionState.RUNNING.name());
                if (batchId != null) {
                    q.setString(2, batchId);
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Running(rs.getString(1), rs.getInt(2),
                                new ProcessLiveness.Owner(rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getLong(6))));
                    }
                }
            }
            return out;
        });
        Instant now = Instant.now();
        ExecutionState dead = ExecutionState.RUNNING.moveTo(ExecutionState.INTERRUPTED);
        for (Running r : running) {
            if (liveness.isGone(r.owner(), now)) {
                inTransaction("mark an execution interrupted", () -> {
                    // only if still RUNNING: its process may have ended it meanwhile
                    try (PreparedStatement u = conn.prepareStatement("UPDATE execution SET state = ?,"
                            + " ended_at = heartbeat_at WHERE batch_id = ? AND seq = ? AND state = ?")) {
                        u.setString(1, dead.name());
                        u.setString(2, r.batch());
                        u.setInt(3, r.seq());
                        u.setString(4, ExecutionState.RUNNING.name());
                        u.executeUpdate();
                    }
                    return null;
                });
            }
        }
    }

    // ------------------------------------------------------------------------------------------- plumbing

    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction that takes the write lock at its start ({@code BEGIN IMMEDIATE}, waiting
     * up to the busy timeout), so two writers never deadlock upgrading a read lock. The connection stays in
     * auto-commit mode between transactions and so holds no lock: the JDBC driver's own transaction mode would
     * begin the next transaction right after each commit and keep other processes out.
     */
    private <T> T inTransaction(String what, SqlWork<T> work) {
        return transaction(begin, what, work);
    }

    /** A read-only transaction: a consistent snapshot that, in WAL mode, neither waits for writers nor blocks them. */
    private <T> T reading(String what, SqlWork<T> work) {
        return transaction(beginRead, what, work);
    }

    private <T> T transaction(PreparedStatement start, String what, SqlWork<T> work) {
        try {
            start.execute();
            try {
                T result = work.run();
                commit.execute();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback.execute();
                throw e;
            }
        } catch (SQLException e) {
            throw SqliteFile.error(file, what, e);
        }
    }

    private static String json(Map<String, String> params) {
        try {
            return JSON.writeValueAsString(params);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> params(String json) {
        try {
            return JSON.readValue(json, PARAMS);
        } catch (JsonProcessingException e) {
            throw new HistoryException("history file " + file + " holds unreadable parameters: " + json, e);
        }
    }

    private BatchSpec spec(String json) {
        try {
            return BatchSpec.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new HistoryException("history file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void setTime(PreparedStatement p, int i, Instant t) throws SQLException {
        if (t == null) {
            p.setNull(i, Types.INTEGER);
        } else {
            p.setLong(i, t.toEpochMilli());
        }
    }

    private static Instant time(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    @Override
    public synchronized void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw SqliteFile.error(file, "close", e);
        }
    }
}
