package dev.fanout.history.sqlite;

import dev.fanout.FailurePolicy;
import dev.fanout.Parallelism;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.HistoryException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * The history file's tables, and the steps that take an older file forward.
 *
 * <p>Versioned with {@code PRAGMA user_version} and marked with an {@code application_id}; {@link #STEPS} take a
 * file from each version to the next on open, all in one transaction under the write lock. A file with a newer
 * version, another application's database, or anything that is not a SQLite database is refused with a
 * {@link HistoryException} naming the file. Times are epoch milliseconds; parameters are JSON objects and specs
 * {@link BatchSpec#toJson()}, already redacted by the caller.
 *
 * <ul>
 * <li>Version 1: batch, item, execution, run, attempt; a batch's and an execution's options as the command line's
 *     JSON document.</li>
 * <li>Version 2: the options become {@link BatchSpec}s (column {@code spec}; the old document is read by
 *     {@link BatchSpec#fromJson}, a Java step); each run keeps the parameters it ran with ({@code run.params}, null
 *     for runs recorded before: their item's parameters).</li>
 * <li>Version 3: workflows. A workflow run is a batch whose items are its tasks; the batch of one task's iterations
 *     names its workflow run and task ({@code batch.workflow}, {@code batch.task}; null for a batch of its own). A run
 *     without attempts (a task of a workflow run, a skipped run) keeps its own error ({@code run.error_*}).
 *     Where the time went: an attempt's driver CPU and waiting for cores ({@code attempt.driver_cpu_ns, wait_ns}, 0 for
 *     attempts recorded before), an execution's {@link dev.fanout.BatchCost} ({@code execution.cost_*}, null while
 *     running and for executions recorded before).</li>
 * <li>Version 4 (issue 14, adaptive parallelism): each change of the runs allowed in flight during an execution, with
 *     its reason ({@code parallelism_change}).</li>
 * </ul>
 */
final class Schema {
    /** 'FNOT': tells a fanout history from any other SQLite file. */
    static final int APPLICATION_ID = 0x464e4f54;

    /** One step from a version to the next, run inside the migration's transaction. */
    interface Step {
        void apply(Connection conn) throws SQLException;
    }

    /** STEPS.get(v) takes a file from schema version v to v + 1. */
    static final List<Step> STEPS = List.of(Schema::v1, Schema::v2, Schema::v3, Schema::v4);

    static final int LATEST = STEPS.size();

    private Schema() {}

    private static void v1(Connection conn) throws SQLException {
        execute(conn,
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
                  PRIMARY KEY (batch_id, idx, seq, number)) WITHOUT ROWID""");
    }

    private static void v2(Connection conn) throws SQLException {
        execute(conn,
                "ALTER TABLE batch RENAME COLUMN options TO spec",
                "ALTER TABLE execution RENAME COLUMN options TO spec",
                "ALTER TABLE run ADD COLUMN params TEXT");
        try (PreparedStatement q = conn.prepareStatement("SELECT b.id, b.job, b.spec, b.items_source,"
                + " coalesce((SELECT e.parallelism FROM execution e WHERE e.batch_id = b.id ORDER BY e.seq LIMIT 1), 1)"
                + " FROM batch b");
             PreparedStatement u = conn.prepareStatement("UPDATE batch SET spec = ? WHERE id = ?");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                u.setString(1, spec(rs.getString(3), rs.getString(2), rs.getString(4), rs.getInt(5)));
                u.setString(2, rs.getString(1));
                u.addBatch();
            }
            u.executeBatch();
        }
        try (PreparedStatement q = conn.prepareStatement("SELECT e.batch_id, e.seq, e.spec, b.job, b.items_source, e.parallelism"
                + " FROM execution e JOIN batch b ON b.id = e.batch_id");
             PreparedStatement u = conn.prepareStatement("UPDATE execution SET spec = ? WHERE batch_id = ? AND seq = ?");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                u.setString(1, spec(rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6)));
                u.setString(2, rs.getString(1));
                u.setInt(3, rs.getInt(2));
                u.addBatch();
            }
            u.executeBatch();
        }
    }

    private static void v3(Connection conn) throws SQLException {
        execute(conn,
                "ALTER TABLE batch ADD COLUMN workflow TEXT",
                "ALTER TABLE batch ADD COLUMN task TEXT",
                "ALTER TABLE run ADD COLUMN error_type TEXT",
                "ALTER TABLE run ADD COLUMN error_message TEXT",
                "ALTER TABLE run ADD COLUMN error_trace TEXT",
                "ALTER TABLE attempt ADD COLUMN driver_cpu_ns INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE attempt ADD COLUMN wait_ns INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE execution ADD COLUMN cost_process_cpu_ns INTEGER",
                "ALTER TABLE execution ADD COLUMN cost_driver_cpu_ns INTEGER",
                "ALTER TABLE execution ADD COLUMN cost_executor_cpu_ns INTEGER",
                "ALTER TABLE execution ADD COLUMN cost_task_ms INTEGER",
                "ALTER TABLE execution ADD COLUMN cost_wait_ns INTEGER",
                "ALTER TABLE execution ADD COLUMN cost_wall_ns INTEGER",
                "ALTER TABLE execution ADD COLUMN cost_driver_cores INTEGER",
                "ALTER TABLE execution ADD COLUMN cost_task_slots INTEGER",
                "ALTER TABLE execution ADD COLUMN cost_local INTEGER",
                "CREATE INDEX batch_by_workflow ON batch (workflow, created_at)");
    }

    /**
     * The version 1 options as a spec. The command line always stored its options document, which
     * {@link BatchSpec#fromJson} reads; a library caller could store any text: then what the row itself says (job,
     * items source, parallelism) is kept, so the file still opens and its batches still list.
     */
    static String spec(String options, String job, String itemsSource, int parallelism) {
        try {
            return BatchSpec.fromJson(options).toJson();
        } catch (IllegalArgumentException e) {
            return new BatchSpec(job, itemsSource, Parallelism.fixed(Math.max(1, parallelism)), null, 0,
                    FailurePolicy.CONTINUE, null, Map.of(), null).toJson();
        }
    }

    // ---- v4: issue 14 (adaptive parallelism) -------------------------------------------------------------------
    // The lead merges the v4 steps of several branches into one: this block is the adaptive parallelism's part.
    private static void v4(Connection conn) throws SQLException {
        execute(conn,
                """
                CREATE TABLE parallelism_change (
                  batch_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL,
                  from_n INTEGER NOT NULL, to_n INTEGER NOT NULL, reason TEXT NOT NULL,
                  FOREIGN KEY (batch_id, seq) REFERENCES execution (batch_id, seq))""",
                "CREATE INDEX parallelism_change_execution ON parallelism_change (batch_id, seq, at)");
    }
    // ---- end of v4 (issue 14) -----------------------------------------------------------------------------------

    /** Takes {@code conn}'s file to {@link #LATEST}, creating it when empty; refuses files that are not ours. */
    static void migrate(Path file, Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            if (intPragma(st, "application_id") == APPLICATION_ID && intPragma(st, "user_version") == LATEST) {
                return; // the usual case, without taking the write lock
            }
            // Checked and migrated under the write lock: another process may be creating the same file right now,
            // and reading its application id, version and tables outside one transaction could see half of that.
            st.execute("BEGIN IMMEDIATE");
            try {
                checkAndMigrate(file, conn, st);
                st.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                st.execute("ROLLBACK");
                throw e;
            }
        }
    }

    private static void checkAndMigrate(Path file, Connection conn, Statement st) throws SQLException {
        int appId = intPragma(st, "application_id");
        int version = intPragma(st, "user_version");
        if (appId != APPLICATION_ID && (appId != 0 || version != 0 || hasTables(st))) {
            throw new HistoryException("history file " + file + " is a SQLite database of another application"
                    + " (application_id " + appId + "), not a fanout history; give another --history file");
        }
        if (version > LATEST) {
            throw new HistoryException("history file " + file + " has schema version " + version
                    + ", newer than this fanout understands (" + LATEST + "); use a newer fanout, or another --history file");
        }
        for (int v = version; v < LATEST; v++) {
            STEPS.get(v).apply(conn);
        }
        st.execute("PRAGMA application_id = " + APPLICATION_ID);
        st.execute("PRAGMA user_version = " + LATEST);
    }

    private static void execute(Connection conn, String... sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
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
}
