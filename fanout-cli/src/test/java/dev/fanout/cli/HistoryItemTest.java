package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.cli.testjobs.AwaitLineJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed item's stack traces, from the run to the history file to {@code fanout history ID ITEM} and its JSON, masked;
 * one error shape in every JSON document; the batch table without an execution for items never reached, and limited.
 */
class HistoryItemTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everyFailedAttemptKeepsItsMaskedStackTraceAndHistoryItemShowsThem() throws Exception {
        AwaitLineJob.SEEN = new CountDownLatch(0); // the runs that do not fail end at once
        Path items = dir.resolve("items.csv");
        Files.writeString(items, "day,fail\n2024-01-01,true\n2024-01-02,false\n");
        String h = dir.resolve("h.db").toString();
        CliHarness.Result run = CliHarness.run("foreach", AwaitLineJob.class.getName(), "--items", items.toString(),
                "--retries", "1", "-p", "api_token=tok-SECRET-789", "--parallelism", "2", "--history", h, "--json");
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        JsonNode doc = JSON.readTree(run.out());
        String id = doc.get("batchId").asText();
        // --json: the run's error and each attempt's have one shape, without stack traces
        JsonNode failed = doc.get("runs").get(0);
        assertThat(names(failed.get("error"))).containsExactly("type", "message");
        assertThat(failed.get("attemptDetails")).hasSize(2);
        for (JsonNode a : failed.get("attemptDetails")) {
            assertThat(names(a.get("error"))).containsExactly("type", "message");
            assertThat(a.get("error").get("type").asText()).isEqualTo("java.lang.IllegalArgumentException");
        }

        CliHarness.Result item = CliHarness.run("history", id, "0", "--history", h);
        assertThat(item.exit()).as(item.err()).isZero();
        assertThat(item.out()).contains("batch " + id + ": " + "AwaitLineJob", "item 0: FAILED",
                "parameters: day=2024-01-01 fail=true api_token=***", "execution 1: FAILED, 2 attempts in ");
        assertThat(item.out()).containsPattern("attempt 1: FAILED, 20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} -> ")
                .containsPattern("attempt 2: FAILED, ");
        assertThat(item.out().split("java.lang.IllegalArgumentException: no bookings for 2024-01-01 with token \\*\\*\\*", -1))
                .hasSize(3); // each attempt's trace, masked
        assertThat(item.out()).contains("    \tat dev.fanout.cli.testjobs.AwaitLineJob.run(AwaitLineJob.java:")
                .doesNotContain("tok-SECRET-789");

        JsonNode one = JSON.readTree(CliHarness.run("history", id, "0", "--json", "--history", h).out());
        assertThat(one.get("index").asInt()).isZero();
        assertThat(one.get("state").asText()).isEqualTo("FAILED");
        assertThat(one.get("runs")).hasSize(1);
        JsonNode r = one.get("runs").get(0);
        assertThat(r.get("execution").asInt()).isEqualTo(1);
        assertThat(names(r.get("error"))).containsExactly("type", "message", "stackTrace");
        assertThat(r.get("attemptDetails")).hasSize(2);
        for (JsonNode a : r.get("attemptDetails")) {
            assertThat(names(a.get("error"))).containsExactly("type", "message", "stackTrace");
            assertThat(a.get("error").get("stackTrace").asText()).contains("AwaitLineJob.run(").doesNotContain("tok-SECRET-789");
        }
        // the stack traces are in the history file, masked
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("h.db")).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).doesNotContain("tok-SECRET-789");
            }
        }

        JsonNode batch = JSON.readTree(CliHarness.run("history", id, "--json", "--history", h).out());
        assertThat(batch.get("options").get("parallelism").isInt()).isTrue();
        assertThat(batch.get("options").get("retries").isInt()).isTrue();
        assertThat(batch.get("options").get("parallelism").asInt()).isEqualTo(2);

        CliHarness.Result outside = CliHarness.run("history", id, "5", "--history", h);
        assertThat(outside.exit()).isEqualTo(2);
        assertThat(outside.err()).contains("batch " + id + " has items 0..1, not 5");
    }

    @Test
    void itemsNeverReachedClaimNoExecutionAndALongBatchIsLimitedProblemsFirst() throws Exception {
        AwaitLineJob.SEEN = new CountDownLatch(0);
        Path items = dir.resolve("items.csv");
        Files.writeString(items, "day,fail\n2024-01-01,false\n2024-01-02,true\n2024-01-03,false\n2024-01-04,false\n");
        String h = dir.resolve("h.db").toString();
        CliHarness.Result run = CliHarness.run("foreach", AwaitLineJob.class.getName(), "--items", items.toString(),
                "--fail-fast", "--parallelism", "1", "--history", h, "--json");
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        String id = JSON.readTree(run.out()).get("batchId").asText();

        CliHarness.Result all = CliHarness.run("history", id, "--history", h);
        assertThat(all.exit()).as(all.err()).isZero();
        List<String> rows = rows(all.out());
        assertThat(rows.get(0)).matches("\\s*ITEM  STATE\\s+TRY  TIME  EXEC  SLOT  PARAMETERS\\s+RESULT");
        assertThat(rows.get(1)).matches("\\s*0  SUCCEEDED\\s+1\\s+\\S+\\s+1\\s+0  day=2024-01-01 fail=false\\s+-> seen");
        assertThat(rows.get(2)).matches("\\s*1  FAILED\\s+1\\s+\\S+\\s+1\\s+0  day=2024-01-02 fail=true\\s+IllegalArgumentException: .*");
        // never started: no try, no time, no execution, no slot
        assertThat(rows.get(3)).matches("\\s*2  SKIPPED\\s+-\\s+-\\s+-\\s+-  day=2024-01-03 fail=false\\s*");

        CliHarness.Result limited = CliHarness.run("history", id, "--limit", "2", "--history", h);
        assertThat(limited.exit()).as(limited.err()).isZero();
        List<String> shown = rows(limited.out());
        assertThat(shown).hasSize(3);
        assertThat(shown.get(1)).contains("FAILED"); // the problems first
        assertThat(limited.out()).contains("showing 2 of 4 items", "... 2 more items left out (");

        // --json says the same: a run never started claims no execution (0, as a pending item), nothing left out
        JsonNode full = JSON.readTree(CliHarness.run("history", id, "--json", "--history", h).out());
        JsonNode skipped = full.get("runs").get(2);
        assertThat(skipped.get("outcome").asText()).isEqualTo("SKIPPED");
        assertThat(skipped.get("attempts").asInt()).isZero();
        assertThat(skipped.get("execution").isInt()).as(skipped.toString()).isTrue();
        assertThat(skipped.get("execution").asInt()).as("no execution reached it").isZero();
        assertThat(full.get("runs").get(1).get("execution").asInt()).isEqualTo(1);
        assertThat(full.get("leftOut").toString()).isEqualTo(
                "{\"PENDING\":0,\"SUCCEEDED\":0,\"FAILED\":0,\"TIMED_OUT\":0,\"CANCELLED\":0,\"SKIPPED\":0}");
        // with --limit: the items left out counted by state, as the table's last line says
        JsonNode some = JSON.readTree(CliHarness.run("history", id, "--limit", "2", "--json", "--history", h).out());
        assertThat(some.get("runs")).hasSize(2);
        java.util.Map<String, Integer> expected = new java.util.TreeMap<>();
        java.util.Set<Integer> in = new java.util.HashSet<>();
        some.get("runs").forEach(r -> in.add(r.get("index").asInt()));
        full.get("runs").forEach(r -> {
            if (!in.contains(r.get("index").asInt())) {
                expected.merge(r.get("outcome").asText(), 1, Integer::sum);
            }
        });
        assertThat(expected).containsEntry("SUCCEEDED", 1); // the problems were shown first
        java.util.Map<String, Integer> left = new java.util.TreeMap<>();
        some.get("leftOut").fields().forEachRemaining(e -> {
            if (e.getValue().asInt() > 0) {
                left.put(e.getKey(), e.getValue().asInt());
            }
        });
        assertThat(left).isEqualTo(expected);
        String line = limited.out().lines().filter(l -> l.startsWith("... 2 more")).findFirst().orElseThrow();
        expected.forEach((state, n) -> assertThat(line).contains(n + " " + state.toLowerCase().replace('_', ' ')));
    }

    /** The lines of the items table: from its header to the line before the first that does not start with a space or digit. */
    private static List<String> rows(String out) {
        List<String> rows = new ArrayList<>();
        boolean in = false;
        for (String line : out.split("\n")) {
            if (line.strip().startsWith("ITEM")) {
                in = true;
            } else if (in && !line.matches("\\s*\\d+ .*")) {
                break;
            }
            if (in) {
                rows.add(line);
            }
        }
        return rows;
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
