package dev.fanout.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.Attempt;
import dev.fanout.ErrorInfo;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.SparkMetrics;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The history in one SQLite file (xerial sqlite-jdbc, the SQLite library embedded in the jar).
 *
 * <h2>Durability and sharing</h2>
 * WAL journal with {@code synchronous=NORMAL}: each run is one transaction, committed to the WAL before
 * {@link #recordRun} returns, so it survives the process being killed ({@code kill -9}); only a power loss
 * may lose the last commits. Several processes may write at once: writers take the lock at the start of
 * a transaction ({@code BEGIN IMMEDIATE}) and wait up to the busy timeout for each other.
 *
 * <h2>Schema</h2>
 * Versioned with {@code PRAGMA user_version} and marked with an {@code application_id}; {@link #MIGRATIONS}
 * take an older file forward on open. A file with a newer version, another application's database, or
 * anything that is not a SQLite database is refused with a {@link HistoryException} naming the file.
 * Times are epoch milliseconds. Parameters are JSON objects, already redacted by the caller.
 *
 * <h2>Dead executions</h2>
 * An execution records its host, PID and the PID's start time. A reader that finds one still RUNNING checks
 * the process: on the same host, gone (or the PID reused by a later process) means it was killed; on another
 * host, a heartbeat older than {@link #STALE_AFTER} does. Such executions are marked INTERRUPTED, ending at
 * their last heartbeat.
 */
public final class SqliteHistoryStore implements HistoryStore {
    /** 'FNOT': tells a fanout history from any other SQLite file. */
    static final int APPLICATION_ID = 0x464e4f54;
    static final Duration STALE_AFTER = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> PARAMS = new TypeReference<>() {};

    /** MIGRATIONS.get(v) takes a file from schema version v to v + 1. */
    static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE batch (
              id TEXT PRIMARY KEY, job TEXT NOT NULL, options TEXT NOT NULL, items_source TEXT,
              item_count INTEGER NOT NULL, created_at INTEGER NOT NULL)""",
            "CREATE INDEX batch_by_created ON batch (created_at)",
            """
            CREATE TABLE item (
              batch_id TEXT NOT NULL, idx INTEGER NOT NULL, params TEXT NOT NULL,
              PRIMARY KEY (batch_id, idx)) WITHOUT ROWID""",
            """
            CREATE TABLE execution (
              batch_id TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL, parallelism INTEGER NOT NULL,
              task_slots INTEGER NOT NULL, options TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
              pid_started INTEGER NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER, heartbeat_at INTEGER NOT NULL,
              PRIMARY KEY (batch_id, seq)) WITHOUT ROWID""",
            """
            CREATE TABLE run (
              batch_id TEXT NOT NULL, idx INTEGER NOT NULL, seq INTEGER NOT NULL, run_id TEXT NOT NULL,
              outcome TEXT NOT NULL, exit_value TEXT, started_at INTEGER, ended_at INTEGER,
              PRIMARY KEY (batch_id, idx, seq)) WITHOUT ROWID""",
            "CREATE INDEX run_by_execution ON run (batch_id, seq, idx)",
            """
            CREATE TABLE attempt (
              batch_id TEXT NOT NULL, idx INTEGER NOT NULL, seq INTEGER NOT NULL, number INTEGER NOT NULL,
              job_group TEXT NOT NULL, slot INTEGER NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL,
              outcome TEXT NOT NULL, error_type TEXT, error_message TEXT, error_trace TEXT,
              jobs INTEGER NOT NULL, stages INTEGER NOT NULL, tasks INTEGER NOT NULL, task_ms INTEGER NOT NULL,
              cpu_ns INTEGER NOT NULL, input_bytes INTEGER NOT NULL, input_records INTEGER NOT NULL,
              shuffle_read_bytes INTEGER NOT NULL, shuffle_write_bytes INTEGER NOT NULL, spilled_bytes INTEGER NOT NULL,
              PRIMARY KEY (batch_id, idx, seq, number)) WITHOUT ROWID"""));

    private final Path file;
    private final Connection conn;
    private final String host;
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
        this.host = hostName();
        this.insertRun = conn.prepareStatement("INSERT OR REPLACE INTO run VALUES (?,?,?,?,?,?,?,?)");
        this.insertAttempt = conn.prepareStatement(
                "INSERT OR REPLACE INTO attempt VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        this.beat = conn.prepareStatement("UPDATE execution SET heartbeat_at = ? WHERE batch_id = ? AND seq = ?");
        this.begin = conn.prepareStatement("BEGIN IMMEDIATE");
        this.beginRead = conn.prepareStatement("BEGIN DEFERRED");
        this.commit = conn.prepareStatement("COMMIT");
        this.rollback = conn.prepareStatement("ROLLBACK");
    }

    /** The default location: {@code ~/.fanout/history.db}. */
    public static Path defaultPath() {
        return Path.of(System.getProperty("user.home"), ".fanout", "history.db");
    }

    /**
     * Opens the history at {@code file}, creating it (readable by its owner only, in a directory made for it
     * when missing) or migrating it to the current schema.
     *
     * @throws HistoryException naming the file when it cannot be used: not a fanout history, a newer schema,
     *                          corrupt, or not writable
     */
    public static SqliteHistoryStore open(Path file) {
        return open(file, 30_000);
    }

    /** As {@link #open(Path)}, waiting at most {@code busyTimeoutMillis} for another writer's lock. */
    static SqliteHistoryStore open(Path file, int busyTimeoutMillis) {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new HistoryException("history file " + abs + " is a directory; give a file path");
        }
        createOwnerOnly(abs);
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(busyTimeoutMillis);
        long deadline = System.nanoTime() + busyTimeoutMillis * 1_000_000L;
        for (int tries = 1; ; tries++) {
            Connection conn = null;
            try {
                conn = config.createConnection("jdbc:sqlite:" + abs);
                migrate(abs, conn);
                return new SqliteHistoryStore(abs, conn);
            } catch (SQLException e) {
                closeQuietly(conn);
                if (isBusy(e) && System.nanoTime() < deadline) {
                    // Turning a new file into WAL mode needs an exclusive lock and SQLite answers BUSY at once,
                    // without its busy handler, while another process does the same: wait a little and try again.
                    sleepQuietly(Math.min(100, 5L * tries));
                    continue;
                }
                throw translate(abs, "open", e);
            } catch (RuntimeException e) {
                closeQuietly(conn);
                throw e;
            }
        }
    }

    private static boolean isBusy(SQLException e) {
        return e instanceof SQLiteException se && se.getResultCode().name().startsWith("SQLITE_BUSY");
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new HistoryException("interrupted while waiting for a locked history file", ie);
        }
    }

    public Path file() {
        return file;
    }

    private static void createOwnerOnly(Path file) {
        try {
            Path dir = file.getParent();
            boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (dir != null && !Files.exists(dir)) {
                if (posix) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(dir);
                }
            }
            if (!Files.exists(file)) {
                // SQLite creates its -wal and -shm files with the database file's permissions.
                if (posix) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } else {
                    Files.createFile(file);
                }
            }
        } catch (FileAlreadyExistsException e) {
            // another process created it meanwhile
        } catch (IOException e) {
            throw new HistoryException("cannot create history file " + file + ": " + e, e);
        }
    }

    private static void migrate(Path file, Connection conn) throws SQLException {
        int latest = MIGRATIONS.size();
        try (Statement st = conn.createStatement()) {
            if (intPragma(st, "application_id") == APPLICATION_ID && intPragma(st, "user_version") == latest) {
                return; // the usual case, without taking the write lock
            }
            // Checked and migrated under the write lock: another process may be creating the same file right now,
            // and reading its application id, version and tables outside one transaction could see half of that.
            st.execute("BEGIN IMMEDIATE");
            try {
                checkAndMigrate(file, st, latest);
                st.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                st.execute("ROLLBACK");
                throw e;
            }
        }
    }

    private static void checkAndMigrate(Path file, Statement st, int latest) throws SQLException {
        int appId = intPragma(st, "application_id");
        int version = intPragma(st, "user_version");
        if (appId != APPLICATION_ID && (appId != 0 || version != 0 || hasTables(st))) {
            throw new HistoryException("history file " + file + " is a SQLite database of another application"
                    + " (application_id " + appId + "), not a fanout history; give another --history file");
        }
        if (version > latest) {
            throw new HistoryException("history file " + file + " has schema version " + version
                    + ", newer than this fanout understands (" + latest + "); use a newer fanout, or another --history file");
        }
        for (int v = version; v < latest; v++) {
            for (String sql : MIGRATIONS.get(v)) {
                st.execute(sql);
            }
        }
        st.execute("PRAGMA application_id = " + APPLICATION_ID);
        st.execute("PRAGMA user_version = " + latest);
    }

    private static int intPragma(Statement st, String name) throws SQLException {
        try (ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static boolean hasTables(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
            return rs.next() && rs.getInt(1) > 0;
        }
    }

    private static HistoryException translate(Path file, String what, SQLException e) {
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode code = se.getResultCode();
            if (code == SQLiteErrorCode.SQLITE_NOTADB || code == SQLiteErrorCode.SQLITE_CORRUPT) {
                return new HistoryException("history file " + file + " is corrupt or not a SQLite database ("
                        + code.message + "); move it away or give another --history file", e);
            }
            if (code.name().startsWith("SQLITE_BUSY")) {
                return new HistoryException("history file " + file + " stayed locked by another process ("
                        + what + "); try again", e);
            }
            if (code == SQLiteErrorCode.SQLITE_READONLY || code == SQLiteErrorCode.SQLITE_CANTOPEN
                    || code == SQLiteErrorCode.SQLITE_PERM) {
                return new HistoryException("cannot write history file " + file + " (" + code.message + ")", e);
            }
        }
        return new HistoryException("history file " + file + ": " + what + " failed: " + e.getMessage(), e);
    }

    // ---------------------------------------------------------------------------------------------- writes

    @Override
    public synchronized void createBatch(String batchId, String job, String options, String itemsSource,
                                         List<Map<String, String>> items, Instant createdAt) {
        inTransaction("create batch " + batchId, () -> {
            try (PreparedStatement b = conn.prepareStatement("INSERT INTO batch VALUES (?,?,?,?,?,?)");
                 PreparedStatement i = conn.prepareStatement("INSERT INTO item VALUES (?,?,?)")) {
                b.setString(1, batchId);
                b.setString(2, job);
                b.setString(3, options);
                b.setString(4, itemsSource);
                b.setInt(5, items.size());
                b.setLong(6, createdAt.toEpochMilli());
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
    public int startExecution(String batchId, int parallelism, int taskSlots, String options, Instant startedAt) {
        return startExecution(batchId, parallelism, taskSlots, options, startedAt, ProcessHandle.current());
    }

    /** As {@link #startExecution(String, int, int, String, Instant)}, owned by {@code me} (tests: a process that dies). */
    synchronized int startExecution(String batchId, int parallelism, int taskSlots, String options, Instant startedAt,
                                    ProcessHandle me) {
        return inTransaction("start an execution of " + batchId, () -> {
            int seq;
            try (PreparedStatement q = conn.prepareStatement("SELECT coalesce(max(seq), 0) + 1 FROM execution WHERE batch_id = ?")) {
                q.setString(1, batchId);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    seq = rs.getInt(1);
                }
            }
            try (PreparedStatement e = conn.prepareStatement("INSERT INTO execution VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                e.setString(1, batchId);
                e.setInt(2, seq);
                e.setString(3, Execution.RUNNING);
                e.setInt(4, parallelism);
                e.setInt(5, taskSlots);
                e.setString(6, options);
                e.setString(7, host);
                e.setLong(8, me.pid());
                e.setLong(9, me.info().startInstant().map(Instant::toEpochMilli).orElse(0L));
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
            insertRun.setString(1, batchId);
            insertRun.setInt(2, run.index());
            insertRun.setInt(3, execution);
            insertRun.setString(4, run.runId());
            insertRun.setString(5, run.outcome().name());
            insertRun.setString(6, run.exitValue());
            setTime(insertRun, 7, run.startedAt());
            setTime(insertRun, 8, run.endedAt());
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
                p.setString(12, e == null ? null : e.stackTrace());
                SparkMetrics m = a.metrics();
                long[] v = {m.jobs(), m.stages(), m.tasks(), m.taskTimeMillis(), m.cpuTimeNanos(), m.inputBytes(),
                        m.inputRecords(), m.shuffleReadBytes(), m.shuffleWriteBytes(), m.spilledBytes()};
                for (int k = 0; k < v.length; k++) {
                    p.setLong(13 + k, v[k]);
                }
                p.addBatch();
            }
            insertAttempt.executeBatch();
            beat(batchId, execution, Instant.now());
            return null;
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
        beat.executeUpdate();
    }

    @Override
    public synchronized void endExecution(String batchId, int execution, String state, Instant endedAt) {
        inTransaction("end an execution of " + batchId, () -> {
            try (PreparedStatement e = conn.prepareStatement(
                    "UPDATE execution SET state = ?, ended_at = ?, heartbeat_at = ? WHERE batch_id = ? AND seq = ?")) {
                e.setString(1, state);
                e.setLong(2, endedAt.toEpochMilli());
                e.setLong(3, endedAt.toEpochMilli());
                e.setString(4, batchId);
                e.setInt(5, execution);
                e.executeUpdate();
            }
            return null;
        });
    }

    // ----------------------------------------------------------------------------------------------- reads

    @Override
    public synchronized List<BatchRecord> batches(int limit) {
        markDead(null);
        List<String> ids = reading("list batches", () -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement q = conn.prepareStatement("SELECT id FROM batch ORDER BY created_at DESC, id DESC LIMIT ?")) {
                q.setInt(1, limit);
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
            String options;
            String source;
            int count;
            Instant created;
            try (PreparedStatement q = conn.prepareStatement("SELECT job, options, items_source, item_count, created_at FROM batch WHERE id = ?")) {
                q.setString(1, batchId);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    job = rs.getString(1);
                    options = rs.getString(2);
                    source = rs.getString(3);
                    count = rs.getInt(4);
                    created = Instant.ofEpochMilli(rs.getLong(5));
                }
            }
            List<Execution> executions = new ArrayList<>();
            try (PreparedStatement q = conn.prepareStatement("SELECT seq, state, parallelism, task_slots, options, host, pid,"
                    + " started_at, ended_at FROM execution WHERE batch_id = ? ORDER BY seq")) {
                q.setString(1, batchId);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        executions.add(new Execution(rs.getInt(1), rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getString(5),
                                rs.getString(6), rs.getLong(7), Instant.ofEpochMilli(rs.getLong(8)), time(rs, 9)));
                    }
                }
            }
            Map<String, Long> counts = new LinkedHashMap<>();
            for (Outcome o : Outcome.values()) {
                counts.put(o.name(), 0L);
            }
            long seen = 0;
            try (PreparedStatement q = conn.prepareStatement("SELECT r.outcome, count(*) FROM run r WHERE r.batch_id = ?"
                    + " AND r.seq = (SELECT max(seq) FROM run x WHERE x.batch_id = r.batch_id AND x.idx = r.idx) GROUP BY r.outcome")) {
                q.setString(1, batchId);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        counts.put(rs.getString(1), rs.getLong(2));
                        seen += rs.getLong(2);
                    }
                }
            }
            counts.put(BatchRecord.PENDING, Math.max(0, count - seen));
            String state = executions.isEmpty() ? Execution.RUNNING : executions.get(executions.size() - 1).state();
            if (!state.equals(Execution.RUNNING) && counts.get(Outcome.SUCCEEDED.name()) == count) {
                state = Execution.SUCCEEDED;
            }
            return Optional.of(new BatchRecord(batchId, job, options, source, count, created, executions, counts, state));
        });
    }

    @Override
    public synchronized List<ItemRecord> items(String batchId) {
        markDead(batchId);
        return reading("read the items of " + batchId, () -> {
            Map<Long, List<Attempt>> attempts = attempts(batchId,
                    "a.seq = (SELECT max(seq) FROM run x WHERE x.batch_id = a.batch_id AND x.idx = a.idx)", 0);
            List<ItemRecord> out = new ArrayList<>();
            try (PreparedStatement q = conn.prepareStatement("SELECT i.idx, i.params, r.seq, r.run_id, r.outcome, r.exit_value,"
                    + " r.started_at, r.ended_at FROM item i LEFT JOIN run r ON r.batch_id = i.batch_id AND r.idx = i.idx"
                    + " AND r.seq = (SELECT max(seq) FROM run x WHERE x.batch_id = i.batch_id AND x.idx = i.idx)"
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

    @Override
    public synchronized List<RunResult> runs(String batchId, int execution) {
        return reading("read the runs of " + batchId, () -> {
            Map<Long, List<Attempt>> attempts = attempts(batchId, "a.seq = ?", execution);
            List<RunResult> out = new ArrayList<>();
            try (PreparedStatement q = conn.prepareStatement("SELECT r.idx, i.params, r.run_id, r.outcome, r.exit_value,"
                    + " r.started_at, r.ended_at FROM run r JOIN item i ON i.batch_id = r.batch_id AND i.idx = r.idx"
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

    private static RunResult run(ResultSet rs, int idx, Map<String, String> params, int col, List<Attempt> attempts)
            throws SQLException {
        Outcome outcome = Outcome.valueOf(rs.getString(col + 1));
        ErrorInfo error = attempts.isEmpty() ? null : attempts.get(attempts.size() - 1).error();
        return new RunResult(idx, rs.getString(col), params, outcome, rs.getString(col + 2), attempts,
                time(rs, col + 3), time(rs, col + 4), error);
    }

    private Map<Long, List<Attempt>> attempts(String batchId, String where, int seq) throws SQLException {
        Map<Long, List<Attempt>> out = new HashMap<>();
        try (PreparedStatement q = conn.prepareStatement("SELECT a.idx, a.seq, a.number, a.job_group, a.slot, a.started_at,"
                + " a.ended_at, a.outcome, a.error_type, a.error_message, a.error_trace, a.jobs, a.stages, a.tasks, a.task_ms,"
                + " a.cpu_ns, a.input_bytes, a.input_records, a.shuffle_read_bytes, a.shuffle_write_bytes, a.spilled_bytes"
                + " FROM attempt a WHERE a.batch_id = ? AND " + where + " ORDER BY a.idx, a.seq, a.number")) {
            q.setString(1, batchId);
            if (where.contains("?")) {
                q.setInt(2, seq);
            }
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    String type = rs.getString(9);
                    ErrorInfo error = type == null ? null : new ErrorInfo(type, rs.getString(10), rs.getString(11));
                    SparkMetrics m = new SparkMetrics(rs.getLong(12), rs.getLong(13), rs.getLong(14), rs.getLong(15),
                            rs.getLong(16), rs.getLong(17), rs.getLong(18), rs.getLong(19), rs.getLong(20), rs.getLong(21));
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
        record Running(String batch, int seq, String host, long pid, long pidStarted, long heartbeat) {}
        List<Running> running = reading("check running executions", () -> {
            List<Running> out = new ArrayList<>();
            try (PreparedStatement q = conn.prepareStatement("SELECT batch_id, seq, host, pid, pid_started, heartbeat_at"
                    + " FROM execution WHERE state = 'RUNNING'" + (batchId == null ? "" : " AND batch_id = ?"))) {
                if (batchId != null) {
                    q.setString(1, batchId);
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Running(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)));
                    }
                }
            }
            return out;
        });
        for (Running r : running) {
            boolean dead;
            if (r.host().equals(host)) {
                // gone, or the PID now belongs to a process started later (reused)
                dead = ProcessHandle.of(r.pid()).map(p -> !p.isAlive() || (r.pidStarted() != 0
                        && Math.abs(p.info().startInstant().map(Instant::toEpochMilli).orElse(r.pidStarted()) - r.pidStarted()) > 1000))
                        .orElse(true);
            } else {
                dead = Instant.now().toEpochMilli() - r.heartbeat() > STALE_AFTER.toMillis();
            }
            if (dead) {
                inTransaction("mark an execution interrupted", () -> {
                    try (PreparedStatement u = conn.prepareStatement("UPDATE execution SET state = 'INTERRUPTED',"
                            + " ended_at = heartbeat_at WHERE batch_id = ? AND seq = ? AND state = 'RUNNING'")) {
                        u.setString(1, r.batch());
                        u.setInt(2, r.seq());
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
            throw translate(file, what, e);
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

    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException ex) {
                return "unknown";
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw translate(file, "close", e);
        }
    }
}
