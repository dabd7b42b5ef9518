package dev.fanout.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.Attempt;
import dev.fanout.ErrorInfo;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.SparkMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteHistoryStoreTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    @TempDir
    Path dir;

    static RunResult run(String batch, int index, Outcome outcome, int attempts, long startMillis) {
        List<Attempt> list = new ArrayList<>();
        for (int n = 1; n <= attempts; n++) {
            Outcome o = n < attempts ? Outcome.FAILED : outcome;
            ErrorInfo e = o == Outcome.SUCCEEDED ? null : new ErrorInfo("java.io.IOException", "boom " + index + "/" + n, "trace");
            Instant s = T0.plusMillis(startMillis + (n - 1) * 100L);
            list.add(new Attempt(n, "fanout-x-" + index + "-a" + n, index % 3, s, s.plusMillis(90), o, e,
                    new SparkMetrics(1, 2, 8, 40 + n, 1000, 4096, 100, 10, 10, 0)));
        }
        return new RunResult(index, batch + "-" + index, Map.of("day", "d" + index), outcome,
                outcome == Outcome.SUCCEEDED ? "v" + index : null, list, list.get(0).startedAt(),
                list.get(list.size() - 1).endedAt(), list.get(list.size() - 1).error());
    }

    static List<Map<String, String>> items(int n) {
        List<Map<String, String>> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(Map.of("day", "d" + i));
        }
        return items;
    }

    @Test
    void recordsEveryRunWithItsAttemptsAndKnowsTheLatestStateOfEachItem() {
        try (SqliteHistoryStore store = SqliteHistoryStore.open(dir.resolve("h.db"))) {
            store.createBatch("b1", "Job", "{}", "--range", items(4), T0);
            int first = store.startExecution("b1", 2, 4, "{}", T0);
            store.recordRun("b1", first, run("b1", 0, Outcome.SUCCEEDED, 1, 0));
            store.recordRun("b1", first, run("b1", 1, Outcome.FAILED, 3, 10));
            store.recordRun("b1", first, run("b1", 2, Outcome.TIMED_OUT, 1, 20));
            store.endExecution("b1", first, Execution.FAILED, T0.plusSeconds(5));

            BatchRecord b = store.batch("b1").orElseThrow();
            assertThat(b.state()).isEqualTo("FAILED");
            assertThat(b.counts()).containsEntry("SUCCEEDED", 1L).containsEntry("FAILED", 1L).containsEntry("TIMED_OUT", 1L)
                    .containsEntry("PENDING", 1L);
            List<ItemRecord> items = store.items("b1");
            assertThat(items).extracting(ItemRecord::state).containsExactly("SUCCEEDED", "FAILED", "TIMED_OUT", "PENDING");
            RunResult failed = items.get(1).run();
            assertThat(failed.attempts()).hasSize(3).extracting(Attempt::number).containsExactly(1, 2, 3);
            assertThat(failed.error().message()).isEqualTo("boom 1/3");
            assertThat(failed.metrics().tasks()).isEqualTo(24);
            assertThat(failed.params()).containsEntry("day", "d1");

            int second = store.startExecution("b1", 2, 4, "{}", T0.plusSeconds(60));
            assertThat(second).isEqualTo(2);
            for (int i = 1; i < 4; i++) {
                store.recordRun("b1", second, run("b1", i, Outcome.SUCCEEDED, 1, 60_000 + i));
            }
            store.endExecution("b1", second, Execution.SUCCEEDED, T0.plusSeconds(70));
            b = store.batch("b1").orElseThrow();
            assertThat(b.state()).isEqualTo("SUCCEEDED");
            assertThat(b.count("SUCCEEDED")).isEqualTo(4);
            assertThat(b.executions()).extracting(Execution::seq).containsExactly(1, 2);
            assertThat(store.items("b1")).extracting(ItemRecord::execution).containsExactly(1, 2, 2, 2);
            assertThat(store.runs("b1", 1)).extracting(RunResult::index).containsExactly(0, 1, 2);
            assertThat(store.runs("b1", 2)).extracting(RunResult::index).containsExactly(1, 2, 3);
        }
    }

    @Test
    void anExecutionWhoseProcessDiedIsReadAsInterruptedEndingAtItsLastHeartbeat() throws Exception {
        Process victim = new ProcessBuilder("sleep", "60").start();
        try (SqliteHistoryStore store = SqliteHistoryStore.open(dir.resolve("h.db"))) {
            store.createBatch("b2", "Job", "{}", "--range", items(3), T0);
            int seq = store.startExecution("b2", 2, 2, "{}", T0, victim.toHandle());
            store.recordRun("b2", seq, run("b2", 0, Outcome.SUCCEEDED, 1, 0));
            assertThat(store.batch("b2").orElseThrow().state()).isEqualTo("RUNNING");
            victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            BatchRecord b = store.batch("b2").orElseThrow();
            assertThat(b.state()).isEqualTo("INTERRUPTED");
            assertThat(b.latest().endedAt()).isNotNull();
            assertThat(b.counts()).containsEntry("SUCCEEDED", 1L).containsEntry("PENDING", 2L);
        } finally {
            victim.destroyForcibly();
        }
    }

    @Test
    void theFileIsCreatedForItsOwnerOnlyInANewDirectory() throws Exception {
        Path file = dir.resolve("new/sub/history.db");
        SqliteHistoryStore.open(file).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            assertThat(st.executeQuery("PRAGMA journal_mode").getString(1)).isEqualTo("wal");
        }
    }

    @Test
    void aNewerSchemaAnotherApplicationsDatabaseAndAGarbageFileAreRefusedNamingTheFile() throws Exception {
        Path newer = dir.resolve("newer.db");
        SqliteHistoryStore.open(newer).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + newer); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> SqliteHistoryStore.open(newer)).isInstanceOf(HistoryException.class)
                .hasMessageContaining(newer.toString()).hasMessageContaining("schema version 99, newer than this fanout understands (1)");

        Path other = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id INTEGER)");
        }
        assertThatThrownBy(() -> SqliteHistoryStore.open(other)).isInstanceOf(HistoryException.class)
                .hasMessageContaining(other.toString()).hasMessageContaining("not a fanout history");

        Path garbage = dir.resolve("garbage.db");
        Files.write(garbage, "this is not a database at all, just text that is long enough to have a header".repeat(100).getBytes());
        assertThatThrownBy(() -> SqliteHistoryStore.open(garbage)).isInstanceOf(HistoryException.class)
                .hasMessageContaining(garbage.toString()).hasMessageContaining("corrupt or not a SQLite database");
        assertThatThrownBy(() -> SqliteHistoryStore.open(dir)).isInstanceOf(HistoryException.class)
                .hasMessageContaining("is a directory");
    }

    @Test
    void anOpenIdleStoreHoldsNoLockThatKeepsAnotherWriterOut() {
        Path file = dir.resolve("idle.db");
        try (SqliteHistoryStore idle = SqliteHistoryStore.open(file, 500);
             SqliteHistoryStore writer = SqliteHistoryStore.open(file, 500)) {
            idle.createBatch("a", "Job", "{}", "--range", items(2), T0);
            idle.batches(5); // a read, then nothing: as a long-running batch between two runs
            writer.createBatch("b", "Job", "{}", "--range", items(2), T0); // would fail "locked" if idle kept a lock
            int seq = writer.startExecution("b", 1, 1, "{}", T0);
            writer.recordRun("b", seq, run("b", 0, Outcome.SUCCEEDED, 1, 0));
            idle.startExecution("a", 1, 1, "{}", T0);
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
                        SqliteHistoryStore.open(file).close(); // each on its own connection, as separate processes
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
        try (SqliteHistoryStore setup = SqliteHistoryStore.open(file)) {
            for (int w = 0; w < writers; w++) {
                setup.createBatch("w" + w, "Job", "{}", "--range", items(runs), T0);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String batch = "w" + w;
                done.add(pool.submit(() -> {
                    try (SqliteHistoryStore store = SqliteHistoryStore.open(file)) { // its own connection, as another process has
                        int seq = store.startExecution(batch, 2, 2, "{}", T0);
                        for (int i = 0; i < runs; i++) {
                            store.recordRun(batch, seq, run(batch, i, Outcome.SUCCEEDED, 1, i));
                            if (i % 50 == 0) {
                                store.batches(10); // readers interleave with the writers
                            }
                        }
                        store.endExecution(batch, seq, Execution.SUCCEEDED, T0.plusSeconds(1));
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
        try (SqliteHistoryStore store = SqliteHistoryStore.open(file)) {
            assertThat(store.batches(100)).hasSize(writers)
                    .allSatisfy(b -> assertThat(b.count("SUCCEEDED")).isEqualTo(runs))
                    .allSatisfy(b -> assertThat(b.state()).isEqualTo("SUCCEEDED"));
        }
    }
}
