package dev.fanout.history.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.Outcome;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryException;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.HistoryStoreContract;
import dev.fanout.history.ItemState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract, plus what only a file shared by processes has: permissions, WAL, locks, dead processes, bad files. */
class SqliteHistoryStoreTest extends HistoryStoreContract {
    @TempDir
    Path dir;

    @Override
    protected HistoryStore newStore() {
        return HistoryStore.sqlite(dir.resolve("contract.db"));
    }

    @Test
    void itsLocationIsTheAbsoluteFileAndWhatItRecordedIsThereAfterReopening() {
        Path file = dir.resolve("a/../reopen.db");
        try (HistoryStore s = HistoryStore.sqlite(file)) {
            assertThat(s.location()).isEqualTo(dir.resolve("reopen.db").toAbsolutePath().toString());
            s.createBatch("b", "Job", SPEC, items(2), T0);
            int seq = s.startExecution("b", SPEC, 1, 1, T0);
            s.recordRun("b", seq, run("b", 0, Outcome.SUCCEEDED, 1, 0));
        }
        try (HistoryStore s = HistoryStore.sqlite(file)) {
            assertThat(s.items("b")).extracting(i -> i.state()).containsExactly(ItemState.SUCCEEDED, ItemState.PENDING);
            assertThat(s.batch("b").orElseThrow().spec()).isEqualTo(SPEC);
        }
    }

    @Test
    void aLongStackTraceIsKeptBoundedWithItsHeadAndItsRootCause() {
        StringBuilder trace = new StringBuilder("java.lang.IllegalStateException: outer\n");
        for (int i = 0; trace.length() < 200_000; i++) {
            trace.append("\tat com.example.Frame").append(i).append(".call(Frame.java:").append(i).append(")\n");
        }
        trace.append("Caused by: java.io.IOException: the root cause\n\tat com.example.Io.read(Io.java:1)\n");
        dev.fanout.RunResult failed = run("b", 0, Outcome.FAILED, 1, 0);
        dev.fanout.Attempt a = failed.attempts().get(0);
        dev.fanout.ErrorInfo long_ = new dev.fanout.ErrorInfo("java.lang.IllegalStateException", "outer", trace.toString());
        dev.fanout.RunResult r = new dev.fanout.RunResult(0, failed.runId(), failed.params(), Outcome.FAILED, null,
                List.of(new dev.fanout.Attempt(1, a.jobGroup(), 0, a.startedAt(), a.endedAt(), Outcome.FAILED, long_, a.metrics())),
                failed.startedAt(), failed.endedAt(), long_);
        store.createBatch("b", "Job", SPEC, items(1), T0);
        int seq = store.startExecution("b", SPEC, 1, 1, T0);
        store.recordRun("b", seq, r);

        String kept = store.itemRuns("b", 0).get(0).run().attempts().get(0).error().stackTrace();
        assertThat(kept.length()).isLessThanOrEqualTo(SqliteHistoryStore.MAX_TRACE + 100);
        assertThat(kept).startsWith("java.lang.IllegalStateException: outer\n\tat com.example.Frame0.call")
                .contains("characters left out").endsWith("Caused by: java.io.IOException: the root cause\n\tat com.example.Io.read(Io.java:1)\n");
        assertThat(SqliteHistoryStore.bounded("short")).isEqualTo("short");
    }

    @Test
    void anExecutionWhoseProcessDiedIsReadAsInterruptedEndingAtItsLastHeartbeat() throws Exception {
        Process victim = new ProcessBuilder("sleep", "60").start();
        try (SqliteHistoryStore s = SqliteHistoryStore.open(dir.resolve("h.db"))) {
            s.createBatch("b2", "Job", SPEC, items(3), T0);
            int seq = s.startExecution("b2", SPEC, 2, 2, T0, victim.toHandle());
            s.recordRun("b2", seq, run("b2", 0, Outcome.SUCCEEDED, 1, 0));
            assertThat(s.batch("b2").orElseThrow().state()).isEqualTo(ExecutionState.RUNNING);
            victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            BatchRecord b = s.batch("b2").orElseThrow();
            assertThat(b.state()).isEqualTo(ExecutionState.INTERRUPTED);
            assertThat(b.latest().endedAt()).isNotNull();
            assertThat(b.counts()).containsEntry(ItemState.SUCCEEDED, 1L).containsEntry(ItemState.PENDING, 2L);
            assertThatThrownBy(() -> s.endExecution("b2", seq, ExecutionState.SUCCEEDED, T0))
                    .isInstanceOf(HistoryException.class).hasMessageContaining("cannot go from INTERRUPTED to SUCCEEDED");
        } finally {
            victim.destroyForcibly();
        }
    }

    @Test
    void theFileIsCreatedForItsOwnerOnlyInANewDirectory() throws Exception {
        Path file = dir.resolve("new/sub/history.db");
        HistoryStore.sqlite(file).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            assertThat(st.executeQuery("PRAGMA journal_mode").getString(1)).isEqualTo("wal");
            assertThat(st.executeQuery("PRAGMA user_version").getInt(1)).isEqualTo(Schema.LATEST);
        }
    }

    @Test
    void aNewerSchemaAnotherApplicationsDatabaseAndAGarbageFileAreRefusedNamingTheFile() throws Exception {
        Path newer = dir.resolve("newer.db");
        HistoryStore.sqlite(newer).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + newer); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> HistoryStore.sqlite(newer)).isInstanceOf(HistoryException.class)
                .hasMessageContaining(newer.toString()).hasMessageContaining("schema version 99, newer than this fanout understands (" + Schema.LATEST + ")");

        Path other = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id INTEGER)");
        }
        assertThatThrownBy(() -> HistoryStore.sqlite(other)).isInstanceOf(HistoryException.class)
                .hasMessageContaining(other.toString()).hasMessageContaining("not a fanout history");

        Path garbage = dir.resolve("garbage.db");
        Files.write(garbage, "this is not a database at all, just text that is long enough to have a header".repeat(100).getBytes());
        assertThatThrownBy(() -> HistoryStore.sqlite(garbage)).isInstanceOf(HistoryException.class)
                .hasMessageContaining(garbage.toString()).hasMessageContaining("corrupt or not a SQLite database");
        assertThatThrownBy(() -> HistoryStore.sqlite(dir)).isInstanceOf(HistoryException.class)
                .hasMessageContaining("is a directory");
    }

    @Test
    void anOpenIdleStoreHoldsNoLockThatKeepsAnotherWriterOut() {
        Path file = dir.resolve("idle.db");
        try (SqliteHistoryStore idle = SqliteHistoryStore.open(file, 500);
             SqliteHistoryStore writer = SqliteHistoryStore.open(file, 500)) {
            idle.createBatch("a", "Job", SPEC, items(2), T0);
            idle.batches(5); // a read, then nothing: as a long-running batch between two runs
            writer.createBatch("b", "Job", SPEC, items(2), T0); // would fail "locked" if idle kept a lock
            int seq = writer.startExecution("b", SPEC, 1, 1, T0);
            writer.recordRun("b", seq, run("b", 0, Outcome.SUCCEEDED, 1, 0));
            idle.startExecution("a", SPEC, 1, 1, T0);
            assertThat(idle.batches(5)).extracting(BatchRecord::id).containsExactlyInAnyOrder("a", "b");
        }
    }

    @Test
    void processesCreatingTheSameNewFileAtOnceAllOpenIt() throws Exception {
        for (int round = 0; round < 50; round++) {
            Path file = dir.resolve("race-" + round + ".db");
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> opened = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    opened.add(pool.submit(() -> {
                        HistoryStore.sqlite(file).close(); // each on its own connection, as separate processes
                        return null;
                    }));
                }
                for (Future<?> f : opened) {
                    f.get(60, TimeUnit.SECONDS); // none refused the half-created file as another application's
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void writersOnSeparateConnectionsToTheSameFileLoseNothing() throws Exception {
        Path file = dir.resolve("shared.db");
        int writers = 4;
        int runs = 300;
        try (HistoryStore setup = HistoryStore.sqlite(file)) {
            for (int w = 0; w < writers; w++) {
                setup.createBatch("w" + w, "Job", SPEC, items(runs), T0);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String batch = "w" + w;
                done.add(pool.submit(() -> {
                    try (HistoryStore s = HistoryStore.sqlite(file)) { // its own connection, as another process has
                        int seq = s.startExecution(batch, SPEC, 2, 2, T0);
                        for (int i = 0; i < runs; i++) {
                            s.recordRun(batch, seq, run(batch, i, Outcome.SUCCEEDED, 1, i));
                            if (i % 50 == 0) {
                                s.batches(10); // readers interleave with the writers
                            }
                        }
                        s.endExecution(batch, seq, ExecutionState.SUCCEEDED, T0.plusSeconds(1));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (HistoryStore s = HistoryStore.sqlite(file)) {
            assertThat(s.batches(100)).hasSize(writers)
                    .allSatisfy(b -> assertThat(b.count(ItemState.SUCCEEDED)).isEqualTo(runs))
                    .allSatisfy(b -> assertThat(b.state()).isEqualTo(ExecutionState.SUCCEEDED));
        }
    }
}
