package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.SqliteHistoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/fanout} as a user runs it: a separate JVM, built by the launcher's own rules. Runs after {@code package}. */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("..", "bin", "fanout").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopStragglers() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private Process start(String... args) throws IOException {
        // A command started in the background by a non-interactive shell (as a CI runner may start the build)
        // inherits SIGINT ignored, and an ignored signal stays ignored across exec: reset it, as a terminal would have it.
        List<String> cmd = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"",
                LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        pb.environment().put("FANOUT_HISTORY", dir.resolve("history.db").toString()); // not the user's ~/.fanout
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    }

    @Test
    void foreachWithJsonPrintsOneDocumentOnStdoutAndTheSummaryOnStderr() throws Exception {
        Process p = start("foreach", "dev.fanout.cli.sample.SampleDailyJob", "--range", "day=2024-01-01..2024-01-03",
                "-p", "bookings=2000", "--parallelism", "2", "--json");
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(read("err.txt")).isZero();
        JsonNode doc = JSON.readTree(read("out.txt"));
        assertThat(doc.get("counts").get("SUCCEEDED").asInt()).isEqualTo(3);
        assertThat(doc.get("runs").get(2).get("exitValue").asText()).contains("\"day\":\"2024-01-03\"", "\"bookings\":2000");
        assertThat(read("err.txt")).contains("fanout: SampleDailyJob, 3 run(s) at parallelism 2");
    }

    @Test
    void badInputExitsWithTwoAndOneMessage() throws Exception {
        Process p = start("foreach", "com.example.Nope", "--range", "n=1..2");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(read("err.txt")).contains("unknown job class 'com.example.Nope'").doesNotContain("\tat ");
        assertThat(read("out.txt")).isEmpty();
    }

    @Test
    void ctrlCCancelsTheRunsInFlightSkipsTheRestPrintsTheSummaryAndExits130() throws Exception {
        Path jar = dir.resolve("testjobs.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            Path classes = Path.of("target", "test-classes", "dev", "fanout", "cli", "testjobs");
            try (var files = Files.list(classes)) {
                for (Path c : files.toList()) {
                    out.putNextEntry(new JarEntry("dev/fanout/cli/testjobs/" + c.getFileName()));
                    out.write(Files.readAllBytes(c));
                    out.closeEntry();
                }
            }
        }
        Process p = start("foreach", "dev.fanout.cli.testjobs.SleepInTaskJob", "--jars", jar.toString(),
                "--range", "n=1..6", "--parallelism", "2", "--json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!read("err.txt").contains("2 running") && System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(200);
        }
        assertThat(read("err.txt")).as("progress shows both runs going").contains("0/6 done, 0 failed, 2 running");
        Thread.sleep(500);
        new ProcessBuilder("bash", "-c", "kill -INT " + p.pid()).start().waitFor(); // what Ctrl-C sends

        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits well before the one-minute tasks end").isTrue();
        String err = read("err.txt");
        assertThat(p.exitValue()).as(err).isEqualTo(130);
        assertThat(err).contains("SIGINT received").contains("0 succeeded, 0 failed, 0 timed out, 2 cancelled, 4 skipped (interrupted)");
        JsonNode doc = JSON.readTree(read("out.txt"));
        assertThat(doc.get("interrupted").asBoolean()).isTrue();
        assertThat(doc.get("counts").get("CANCELLED").asInt()).isEqualTo(2);
        assertThat(doc.get("counts").get("SKIPPED").asInt()).isEqualTo(4);
        try (SqliteHistoryStore store = SqliteHistoryStore.open(dir.resolve("history.db"))) {
            BatchRecord b = store.batch(doc.get("batchId").asText()).orElseThrow();
            assertThat(b.state()).isEqualTo("INTERRUPTED");
            assertThat(b.counts()).containsEntry("CANCELLED", 2L).containsEntry("SKIPPED", 4L).containsEntry("PENDING", 0L);
        }
    }

    @Test
    void twoDriversRecordIntoOneHistoryFileAtTheSameTime() throws Exception {
        Path history = dir.resolve("shared.db");
        List<Process> drivers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "foreach", "dev.fanout.cli.sample.SampleDailyJob",
                    "--range", "day=2024-02-01..2024-02-08", "-p", "bookings=500", "--parallelism", "2",
                    "--history", history.toString())
                    .redirectOutput(dir.resolve("d" + i + ".out").toFile()).redirectError(dir.resolve("d" + i + ".err").toFile());
            Process p = pb.start();
            started.add(p);
            drivers.add(p);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(drivers.get(i).waitFor(240, TimeUnit.SECONDS)).isTrue();
            assertThat(drivers.get(i).exitValue()).as(read("d" + i + ".err")).isZero();
        }
        try (SqliteHistoryStore store = SqliteHistoryStore.open(history)) {
            List<BatchRecord> batches = store.batches(10);
            assertThat(batches).hasSize(2).allSatisfy(b -> {
                assertThat(b.state()).isEqualTo("SUCCEEDED");
                assertThat(b.count("SUCCEEDED")).isEqualTo(8);
                assertThat(store.runs(b.id(), 1)).hasSize(8);
            });
        }
    }
}
