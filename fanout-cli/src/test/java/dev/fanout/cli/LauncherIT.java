package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/fanout} as a user runs it: a separate JVM, built by the launcher's own rules. Runs after {@code package}. */
class LauncherIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Launched launched;

    @BeforeEach
    void launcher() {
        launched = new Launched(dir);
    }

    @AfterEach
    void stopStragglers() {
        launched.close();
    }

    private Process start(String... args) throws IOException {
        return launched.fanout("cmd", args);
    }

    private String read(String name) throws IOException {
        return launched.read(name);
    }

    @Test
    void foreachWithJsonPrintsOneDocumentOnStdoutAndTheSummaryOnStderr() throws Exception {
        Process p = start("foreach", "dev.fanout.cli.sample.SampleDailyJob", "--range", "day=2024-01-01..2024-01-03",
                "-p", "bookings=2000", "--parallelism", "2", "--json");
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(read("cmd.err")).isZero();
        JsonNode doc = JSON.readTree(read("cmd.out"));
        assertThat(doc.get("counts").get("SUCCEEDED").asInt()).isEqualTo(3);
        assertThat(doc.get("runs").get(2).get("exitValue").asText()).contains("\"day\":\"2024-01-03\"", "\"bookings\":2000");
        assertThat(read("cmd.err")).contains("fanout: SampleDailyJob, 3 run(s) at parallelism 2");
    }

    @Test
    void badInputExitsWithTwoAndOneMessage() throws Exception {
        Process p = start("foreach", "com.example.Nope", "--range", "n=1..2");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(read("cmd.err")).contains("unknown job class 'com.example.Nope'").doesNotContain("\tat ");
        assertThat(read("cmd.out")).isEmpty();
    }

    @Test
    void ctrlCCancelsTheRunsInFlightSkipsTheRestPrintsTheSummaryAndExits130() throws Exception {
        Path jar = Launched.testJobsJar(dir.resolve("testjobs.jar"));
        Process p = start("foreach", "dev.fanout.cli.testjobs.SleepInTaskJob", "--jars", jar.toString(),
                "--range", "n=1..6", "--parallelism", "2", "--json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!read("cmd.err").contains("2 running") && System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(200);
        }
        assertThat(read("cmd.err")).as("progress shows both runs going").contains("0/6 done, 0 failed, 2 running");
        Thread.sleep(500);
        new ProcessBuilder("bash", "-c", "kill -INT " + p.pid()).start().waitFor(); // what Ctrl-C sends

        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits well before the one-minute tasks end").isTrue();
        String err = read("cmd.err");
        assertThat(p.exitValue()).as(err).isEqualTo(130);
        assertThat(err).contains("SIGINT received").contains("0 succeeded, 0 failed, 0 timed out, 2 cancelled, 4 skipped (interrupted)");
        JsonNode doc = JSON.readTree(read("cmd.out"));
        assertThat(doc.get("interrupted").asBoolean()).isTrue();
        assertThat(doc.get("counts").get("CANCELLED").asInt()).isEqualTo(2);
        assertThat(doc.get("counts").get("SKIPPED").asInt()).isEqualTo(4);
        try (HistoryStore store = HistoryStore.sqlite(dir.resolve("cmd-history.db"))) {
            BatchRecord b = store.batch(doc.get("batchId").asText()).orElseThrow();
            assertThat(b.state()).isEqualTo(ExecutionState.INTERRUPTED);
            assertThat(b.counts()).containsEntry(ItemState.CANCELLED, 2L).containsEntry(ItemState.SKIPPED, 4L).containsEntry(ItemState.PENDING, 0L);
        }
    }

    @Test
    void ctrlCStopsTheRowCallsAndExits130WithoutWritingTheOutput() throws Exception {
        try (dev.fanout.rows.TestApi api = dev.fanout.rows.TestApi.start(
                dev.fanout.rows.TestApi.Config.defaults().withLatency(java.time.Duration.ofMillis(500)))) {
            Path in = dir.resolve("rows.csv");
            StringBuilder csv = new StringBuilder("id\n");
            for (int i = 0; i < 5000; i++) {
                csv.append(i).append('\n');
            }
            Files.writeString(in, csv);
            Path out = dir.resolve("rows-out.parquet");
            // all rows would take 5000 x 0.5 s / (2 partitions x 8) = 156 s
            Process p = start("rows", "--input", in.toString(), "--url", api.base() + "/items/{id}", "--master", "local[2]",
                    "--output", out.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (api.calls().size() < 40 && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(100);
            }
            assertThat(api.calls().size()).as(read("cmd.err")).isGreaterThanOrEqualTo(40);
            new ProcessBuilder("bash", "-c", "kill -INT " + p.pid()).start().waitFor(); // what Ctrl-C sends

            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits long before the rows would be done").isTrue();
            String err = read("cmd.err");
            assertThat(p.exitValue()).as(err).isEqualTo(130);
            assertThat(err).contains("SIGINT received").contains("interrupted: the calls were stopped").doesNotContain("\tat ");
            assertThat(out.resolve("_SUCCESS")).doesNotExist();
            assertThat(api.calls().size()).isLessThan(1000);
        }
    }

    @Test
    void twoDriversRecordIntoOneHistoryFileAtTheSameTime() throws Exception {
        Path history = dir.resolve("shared.db");
        List<Process> drivers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            drivers.add(launched.fanout("d" + i, "foreach", "dev.fanout.cli.sample.SampleDailyJob",
                    "--range", "day=2024-02-01..2024-02-08", "-p", "bookings=500", "--parallelism", "2",
                    "--history", history.toString()));
        }
        for (int i = 0; i < 2; i++) {
            assertThat(drivers.get(i).waitFor(240, TimeUnit.SECONDS)).isTrue();
            assertThat(drivers.get(i).exitValue()).as(read("d" + i + ".err")).isZero();
        }
        try (HistoryStore store = HistoryStore.sqlite(history)) {
            List<BatchRecord> batches = store.batches(10);
            assertThat(batches).hasSize(2).allSatisfy(b -> {
                assertThat(b.state()).isEqualTo(ExecutionState.SUCCEEDED);
                assertThat(b.count(ItemState.SUCCEEDED)).isEqualTo(8);
                assertThat(store.runs(b.id(), 1)).hasSize(8);
            });
        }
    }
}
