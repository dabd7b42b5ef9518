package dev.fanout.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.BadInputException;
import dev.fanout.BatchCost;
import dev.fanout.BatchResult;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.HistoryStoreContract;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> RUN_FIELDS = List.of("index", "params", "outcome", "exitValue", "attempts", "startedAt",
            "endedAt", "error", "attemptDetails");

    @TempDir
    Path dir;

    /** 6 s on 2 driver cores and 4 task slots: 5.4 CPU-s on the driver (90 % busy), 1.2 s of tasks (5 %). */
    private static final BatchCost COST = new BatchCost(6_000_000_000L, 4_000_000_000L, 600_000_000L, 1200,
            300_000_000L, 3_000_000_000L, 2, 4, true);

    private static BatchResult batch() {
        List<RunResult> runs = List.of(HistoryStoreContract.run("b", 0, Outcome.SUCCEEDED, 1, 0),
                HistoryStoreContract.run("b", 1, Outcome.FAILED, 2, 50));
        return new BatchResult("b", "Job", 2, HistoryStoreContract.run("b", 0, Outcome.SUCCEEDED, 1, 0).startedAt(),
                runs.get(1).endedAt(), Map.of(Outcome.SUCCEEDED, 1L, Outcome.FAILED, 1L), runs, false);
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void theJsonDocumentHasTheShapeOfDesignMd() throws Exception {
        JsonNode doc = JSON.readTree(Reports.json(batch()));
        assertThat(names(doc)).containsExactly("batchId", "job", "parallelism", "counts", "startedAt", "endedAt", "interrupted",
                "cost", "runs");
        assertThat(doc.get("cost").isNull()).as("not measured: a result built by hand").isTrue();
        assertThat(names(doc.get("counts"))).containsExactly("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED", "SKIPPED");
        JsonNode ok = doc.get("runs").get(0);
        assertThat(names(ok)).containsSubsequence(RUN_FIELDS).containsSubsequence("slot", "metrics");
        assertThat(ok.get("metrics").get("driverCpuNanos").asLong()).isEqualTo(2_000_001L);
        assertThat(ok.get("metrics").get("waitNanos").asLong()).isEqualTo(500_000L);
        assertThat(ok.get("error").isNull()).isTrue();
        assertThat(ok.get("exitValue").asText()).isEqualTo("v0");
        assertThat(ok.get("params").get("day").asText()).isEqualTo("d0");
        JsonNode failed = doc.get("runs").get(1);
        assertThat(failed.get("outcome").asText()).isEqualTo("FAILED");
        assertThat(failed.get("attempts").asInt()).isEqualTo(2);
        assertThat(failed.get("error").get("type").asText()).isEqualTo("java.io.IOException");
        assertThat(failed.get("error").get("message").asText()).isEqualTo("boom 1/2");
        // one shape for every error: the run's and each attempt's (no stack trace in --json)
        JsonNode attemptError = failed.get("attemptDetails").get(0).get("error");
        assertThat(names(attemptError)).containsExactly("type", "message");
        assertThat(names(failed.get("error"))).containsExactly("type", "message");
        assertThat(attemptError.get("type").asText()).isEqualTo("java.io.IOException");
        assertThat(attemptError.get("message").asText()).isEqualTo("boom 1/1");
        assertThat(failed.get("startedAt").asText()).isEqualTo("2026-11-22T10:00:00.050Z");
    }

    @Test
    void theHistoryWritesRunsWithTheSameNamesPlusTheirCostAndExecution() throws Exception {
        try (HistoryStore store = HistoryStore.inMemory()) {
            store.createBatch("b", "Job", HistoryStoreContract.SPEC, HistoryStoreContract.items(3), HistoryStoreContract.T0);
            int seq = store.startExecution("b", HistoryStoreContract.SPEC, 2, 4, HistoryStoreContract.T0);
            batch().runs().forEach(r -> store.recordRun("b", seq, r));
            store.endExecution("b", seq, ExecutionState.FAILED, batch().endedAt(), COST);

            JsonNode doc = JSON.readTree(Reports.history(store.require("b"), store.items("b")));
            JsonNode cost = doc.get("executions").get(0).get("cost");
            assertThat(cost.get("processCpuNanos").asLong()).isEqualTo(COST.processCpuNanos());
            assertThat(cost.get("driverSideCpuNanos").asLong()).isEqualTo(5_400_000_000L);
            assertThat(cost.get("driverBusy").asDouble()).isEqualTo(0.9);
            assertThat(cost.get("clusterUtilisation").asDouble()).isEqualTo(0.1);
            assertThat(cost.get("driverBound").asBoolean()).isTrue();
            assertThat(doc.get("runs").get(0).get("metrics").get("driverCpuNanos").asLong()).isEqualTo(2_000_001L);
            assertThat(doc.get("state").asText()).isEqualTo("FAILED");
            assertThat(doc.get("counts").get("PENDING").asInt()).isEqualTo(1);
            // the options keep their types: a number is a number, not its text
            assertThat(doc.get("options").get("parallelism").isInt()).as(doc.get("options").toString()).isTrue();
            assertThat(doc.get("options").get("parallelism").asInt()).isEqualTo(2);
            assertThat(doc.get("options").get("retries").isInt()).isTrue();
            assertThat(doc.get("executions").get(0).get("taskSlots").asInt()).isEqualTo(4);
            JsonNode failed = doc.get("runs").get(1);
            assertThat(names(failed)).containsSubsequence(RUN_FIELDS).contains("slot", "metrics", "execution");
            assertThat(failed.get("metrics").get("tasks").asInt()).isEqualTo(16);
            assertThat(failed.get("execution").asInt()).isEqualTo(1);
            JsonNode pending = doc.get("runs").get(2);
            assertThat(names(pending)).containsSubsequence(RUN_FIELDS);
            assertThat(pending.get("outcome").asText()).isEqualTo("PENDING");
            assertThat(pending.get("execution").asInt()).isZero();

            JsonNode list = JSON.readTree(Reports.history(store.batches(10)));
            assertThat(list).singleElement().satisfies(b -> assertThat(b.get("batchId").asText()).isEqualTo("b"));
        }
    }

    @Test
    void theHtmlReportEmbedsTheRunsSoNoValueCanEndItsScript() throws Exception {
        try (HistoryStore store = HistoryStore.inMemory()) {
            Map<String, String> evil = Map.of("note", "</script><img src=x onerror=alert(1)>", "long", "x".repeat(5000));
            store.createBatch("b", "Job", HistoryStoreContract.SPEC, List.of(evil), HistoryStoreContract.T0);
            int seq = store.startExecution("b", HistoryStoreContract.SPEC, 1, 1, HistoryStoreContract.T0);
            store.recordRun("b", seq, HistoryStoreContract.run("b", 0, evil, Outcome.FAILED, 1, 0));
            Path file = dir.resolve("out/report.html");
            Reports.html(store, "b", file);
            String html = Files.readString(file);
            Matcher m = Pattern.compile("<script type=\"application/json\" id=\"fanout-data\">(.*?)</script>", Pattern.DOTALL)
                    .matcher(html);
            assertThat(m.find()).isTrue();
            assertThat(m.group(1)).doesNotContain("<", ">");
            JsonNode data = JSON.readTree(m.group(1));
            assertThat(data.get("id").asText()).isEqualTo("b");
            JsonNode run = data.get("batch").get("executions").get(0).get("runs").get(0);
            assertThat(run.get("outcome").asText()).isEqualTo("FAILED");
            assertThat(run.get("params").get("note").asText()).startsWith("</script>");
            assertThat(run.get("params").get("long").asText()).hasSize(2001).endsWith("…");
            assertThat(run.get("metrics").get("taskTimeMillis").asInt()).isEqualTo(41);
            assertThatThrownBy(() -> Reports.html(store, "nope", file)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("no batch 'nope'");
            // the final state (each item's latest run) with stack traces, and each execution's runs with theirs
            assertThat(data.get("latest")).hasSize(1);
            assertThat(data.get("latest").get(0).get("execution").asInt()).isEqualTo(1);
            assertThat(data.get("latest").get(0).get("attemptDetails").get(0).get("error").get("stackTrace").asText()).isEqualTo("trace");
            assertThat(run.get("error").get("stackTrace").asText()).isEqualTo("trace");
        }
    }

    @Test
    void aNewReportIsReadableAsAnyNewFileOfTheUserAndAReplacedOneKeepsItsPermissions() throws Exception {
        try (HistoryStore store = HistoryStore.inMemory()) {
            store.createBatch("b", "Job", HistoryStoreContract.SPEC, HistoryStoreContract.items(1), HistoryStoreContract.T0);
            Path file = dir.resolve("report.html");
            Reports.html(store, "b", file);
            Path probe = Files.createFile(dir.resolve("probe")); // what the umask gives a new file
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(probe)));
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Reports.html(store, "b", file);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            try (var left = Files.list(dir)) {
                assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("report.html", "probe");
            }
        }
    }

    @Test
    void theSummarySaysWhereTheTimeWentAndHintsOnlyWhenTheDriverWasTheLimit() {
        BatchResult driverBound = withCost(COST);
        String text = summary(driverBound);
        assertThat(text).contains("where the time went: driver 5.40 CPU-s (4.00 in the runs' own threads), executors 0.60 CPU-s"
                + " (1.20 s of task time), waiting for cores 0.30 s; driver busy 90% of 2 core(s), executors 10% of 4 task slot(s)");
        assertThat(text).contains("driver-bound: driver busy 90% of 2 core(s) while executors were 10% busy: fewer, larger runs"
                + " or less planning per run will help, more parallelism will not");
        // the same CPU, but executors busy: no hint
        String busy = summary(withCost(new BatchCost(6_000_000_000L, 4_000_000_000L, 600_000_000L, 7000, 0, 3_000_000_000L,
                2, 4, true)));
        assertThat(busy).contains("where the time went:").doesNotContain("driver-bound");
        // the driver half idle: no hint either
        String idle = summary(withCost(new BatchCost(2_000_000_000L, 1_000_000_000L, 600_000_000L, 1200, 0, 3_000_000_000L,
                2, 4, true)));
        assertThat(idle).doesNotContain("driver-bound");
        // not measured: no line
        assertThat(summary(batch())).doesNotContain("where the time went");
    }

    private static BatchResult withCost(BatchCost cost) {
        BatchResult b = batch();
        return new BatchResult(b.batchId(), b.job(), b.parallelism(), b.startedAt(), b.endedAt(), b.counts(), b.runs(),
                b.interrupted(), cost);
    }

    private static String summary(BatchResult r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Reports.summary(r, new PrintStream(bytes, true, StandardCharsets.UTF_8), null);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theSummarySaysCountsSlowestRunsAndFailures() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Reports.summary(batch(), new PrintStream(bytes, true, StandardCharsets.UTF_8), null);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("fanout: Job, 2 run(s) at parallelism 2 in ")
                .contains("1 succeeded, 1 failed, 0 timed out, 0 cancelled, 0 skipped")
                .contains("slowest runs:", "#1 day=d1")
                .contains("failures:\n  #1 day=d1  FAILED after 2 attempt(s): IOException: boom 1/2");
        bytes.reset();
        Reports.summary(batch(), new PrintStream(bytes, true, StandardCharsets.UTF_8), "parallelism auto (3 at the end)");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("2 run(s) at parallelism auto (3 at the end) in");
    }
}
