package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.BatchResult;
import dev.fanout.Fanout;
import dev.fanout.Items;
import dev.fanout.Parallelism;
import dev.fanout.cli.testjobs.EchoJob;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.testing.SharedSpark;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batch resumed with exactly what it was started with, whoever started it; each bug pinned by its own test. */
class ResumeFromTheHistoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BATCH = Pattern.compile("history: batch (\\S+) in ");

    @TempDir
    Path dir;

    private static String batchId(CliHarness.Result r) {
        Matcher m = BATCH.matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        return m.group(1);
    }

    private Path items() throws Exception {
        Path f = dir.resolve("items.csv");
        Files.writeString(f, "day,fail\nd0,false\nd1,true\nd2,false\n");
        return f;
    }

    /** Was: "fanout: unexpected error: ... '30.0s' is not a duration", exit 1, for any timeout under a minute. */
    @Test
    void aBatchStartedWithATimeoutUnderAMinuteResumesWithEveryOptionItWasStartedWith() throws Exception {
        String h = dir.resolve("h.db").toString();
        CliHarness.Result first = CliHarness.run("foreach", EchoJob.class.getName(), "--items", items().toString(),
                "--timeout", "30s", "--retries", "1", "--parallelism", "3", "--fail-fast", "-p", "region=eu",
                "--conf", "spark.fanout.test=1", "--secrets", "(?i)region", "--history", h);
        assertThat(first.exit()).as(first.err()).isEqualTo(1);
        String id = batchId(first);
        CliHarness.Result resumed = CliHarness.run("resume", id, "-p", "fail=false", "-p", "region=us", "--history", h);
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        try (HistoryStore store = HistoryStore.sqlite(Path.of(h))) {
            BatchRecord b = store.require(id);
            BatchSpec started = b.executions().get(0).spec();
            BatchSpec again = b.executions().get(1).spec();
            assertThat(again.timeout()).isEqualTo(java.time.Duration.ofSeconds(30));
            assertThat(again.retries()).isEqualTo(1);
            assertThat(again.parallelism()).isEqualTo(Parallelism.fixed(3));
            assertThat(again.failurePolicy()).isEqualTo(dev.fanout.FailurePolicy.FAIL_FAST);
            assertThat(again.secrets()).isEqualTo("(?i)region");
            assertThat(again.launch().conf()).containsEntry("spark.fanout.test", "1");
            assertThat(again.launch().master()).isEqualTo(started.launch().master());
            assertThat(again.job()).isEqualTo(started.job()).isEqualTo(EchoJob.class.getName());
        }
    }

    /** Was: history, --json and the report showed the original failDay for a run that ran with the override. */
    @Test
    void eachRunRecordsTheParametersItActuallyRanWith() throws Exception {
        String h = dir.resolve("h.db").toString();
        String id = batchId(CliHarness.run("foreach", EchoJob.class.getName(), "--items", items().toString(), "--history", h));
        assertThat(CliHarness.run("resume", id, "-p", "fail=false", "--history", h).exit()).isZero();
        try (HistoryStore store = HistoryStore.sqlite(Path.of(h))) {
            ItemRecord item1 = store.items(id).get(1);
            assertThat(item1.params()).containsEntry("fail", "false");
            assertThat(item1.run().params()).containsEntry("fail", "false");
        }
        JsonNode doc = JSON.readTree(CliHarness.run("history", id, "--json", "--history", h).out());
        assertThat(doc.get("runs").get(1).get("params").get("fail").asText()).isEqualTo("false");
    }

    /** Was: nothing on stdout; scripts expect the JSON document. */
    @Test
    void resumeWithNothingLeftPrintsTheJsonDocumentWithNoRuns() throws Exception {
        String h = dir.resolve("h.db").toString();
        Path ok = dir.resolve("ok.csv");
        Files.writeString(ok, "day\nd0\n");
        String id = batchId(CliHarness.run("foreach", EchoJob.class.getName(), "--items", ok.toString(), "--history", h));
        CliHarness.Result r = CliHarness.run("resume", id, "--json", "--history", h);
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.get("batchId").asText()).isEqualTo(id);
        assertThat(doc.get("runs")).isEmpty();
        assertThat(r.err()).contains("nothing to resume");
    }

    /** Was: a NullPointerException: the library recorded no command-line options. */
    @Test
    void aBatchTheLibraryRecordedResumesFromTheCommandLine() throws Exception {
        Path h = dir.resolve("lib.db");
        String id;
        try (Fanout fanout = Fanout.builder(SharedSpark.session()).parallelism(2).history(h).build()) {
            BatchResult r = fanout.forEach(new EchoJob(), Items.of(List.of(Map.of("fail", "true"), Map.of("fail", "false"))));
            id = r.batchId();
        }
        int before = EchoJob.RUNS.get();
        CliHarness.Result resumed = CliHarness.run("resume", id, "-p", "fail=false", "--history", h.toString());
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(EchoJob.RUNS.get() - before).isEqualTo(1);
    }

    @Test
    void everyCommandAppliesTheSettingsForSmallRunsUnlessSetAndSaysSoOnce() throws Exception {
        Path ok = dir.resolve("ok.csv");
        Files.writeString(ok, "day\nd0\nd1\n");
        CliHarness.Result r = CliHarness.run("foreach", EchoJob.class.getName(), "--items", ok.toString(), "--no-history",
                "--conf", "spark.sql.shuffle.partitions=8");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err().split("settings for small runs", -1)).hasSize(2);
        assertThat(r.err()).contains("spark.databricks.delta.snapshotPartitions=1")
                .doesNotContain("spark.sql.shuffle.partitions=4");
    }

    /** Was: a minute of stack traces, then "unexpected error ... stopped SparkContext", exit 1. */
    @Test
    void anUnreachableMasterIsOneLineNamingItAndExitTwo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        int before = EchoJob.RUNS.get();
        CliHarness.Result r = CliHarness.run("foreach", EchoJob.class.getName(), "--range", "n=1..2", "--no-history",
                "--master", "spark://127.0.0.1:" + port);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("cannot reach the Spark master spark://127.0.0.1:" + port).doesNotContain("\tat ");
        assertThat(EchoJob.RUNS.get()).isEqualTo(before);
    }
    @Test
    void aSqlJobResumesFromItsFileAndSaysWhenTheFileChangedSinceTheBatchRan() throws Exception {
        String h = dir.resolve("h.db").toString();
        Path sql = dir.resolve("div.sql");
        Files.writeString(sql, "-- fails for n = 2 (ANSI division by zero)\nSELECT 10 / (:n - 2) AS v;\n");
        CliHarness.Result first = CliHarness.run("foreach", sql.toString(), "--range", "n=1..3", "--history", h);
        assertThat(first.exit()).as(first.err()).isEqualTo(1);
        String id = batchId(first);
        Files.writeString(sql, "-- fixed\nSELECT 10 / (:n + 0) AS v;\n");
        CliHarness.Result resumed = CliHarness.run("resume", id, "--json", "--history", h);
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains(sql + " changed since batch " + id);
        JsonNode doc = JSON.readTree(resumed.out());
        assertThat(doc.get("runs")).hasSize(1);
        assertThat(doc.get("runs").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(doc.get("runs").get(0).get("exitValue").asText()).contains("\"v\":5");
    }
}
