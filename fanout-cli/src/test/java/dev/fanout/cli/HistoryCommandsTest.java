package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.cli.testjobs.EchoJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recording, listing, resuming and reporting batches through the command line, in-process on the shared session. */
class HistoryCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BATCH = Pattern.compile("history: batch (\\S+) in ");

    @TempDir
    Path dir;

    private Path items(String... rows) throws Exception {
        Path f = dir.resolve("items.csv");
        Files.writeString(f, "day,fail\n" + String.join("\n", rows) + "\n");
        return f;
    }

    private static String batchId(CliHarness.Result r) {
        Matcher m = BATCH.matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        return m.group(1);
    }

    @Test
    void aFailedItemIsRecordedListedAndResumedAloneUnderItsIndex() throws Exception {
        String h = dir.resolve("h.db").toString();
        Path items = items("d0,false", "d1,true", "d2,false", "d3,true");
        CliHarness.Result first = CliHarness.run("foreach", EchoJob.class.getName(), "--items", items.toString(),
                "--parallelism", "2", "--history", h);
        assertThat(first.exit()).as(first.err()).isEqualTo(1);
        String id = batchId(first);
        assertThat(first.err()).contains("fanout resume " + id);

        CliHarness.Result list = CliHarness.run("history", "--history", h);
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern(Pattern.quote(id) + "\\s+EchoJob\\s+FAILED\\s+2/4\\s+2 failed");

        CliHarness.Result failed = CliHarness.run("history", id, "--state", "failed", "--json", "--history", h);
        assertThat(failed.exit()).as(failed.err()).isZero();
        JsonNode doc = JSON.readTree(failed.out());
        assertThat(doc.get("counts").get("FAILED").asInt()).isEqualTo(2);
        assertThat(doc.get("runs")).hasSize(2);
        assertThat(doc.get("runs").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(doc.get("runs").get(0).get("error").get("message").asText()).startsWith("asked to fail");
        assertThat(doc.get("runs").get(0).get("metrics").get("jobs").asInt()).isZero(); // failed before any Spark job
        assertThat(doc.get("options").get("parallelism").asInt()).isEqualTo(2);

        // Resume with the failing parameter overridden: only items 1 and 3 run, under their own indices.
        int before = EchoJob.RUNS.get();
        CliHarness.Result resumed = CliHarness.run("resume", id, "-p", "fail=false", "--json", "--history", h);
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(EchoJob.RUNS.get() - before).isEqualTo(2);
        JsonNode r = JSON.readTree(resumed.out());
        assertThat(r.get("batchId").asText()).isEqualTo(id);
        List<Integer> indices = new ArrayList<>();
        r.get("runs").forEach(n -> indices.add(n.get("index").asInt()));
        assertThat(indices).containsExactly(1, 3);
        assertThat(resumed.err()).contains("2 of 4 items did not succeed (2 failed); execution 2");

        JsonNode after = JSON.readTree(CliHarness.run("history", id, "--json", "--history", h).out());
        assertThat(after.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(after.get("counts").get("SUCCEEDED").asInt()).isEqualTo(4);
        assertThat(after.get("executions")).hasSize(2);
        List<Integer> executions = new ArrayList<>();
        after.get("runs").forEach(n -> executions.add(n.get("execution").asInt()));
        assertThat(executions).containsExactly(1, 2, 1, 2);

        CliHarness.Result nothing = CliHarness.run("resume", id, "--history", h);
        assertThat(nothing.exit()).isZero();
        assertThat(nothing.err()).contains("all 4 items succeeded; nothing to resume");

        Path report = dir.resolve("out/report.html");
        CliHarness.Result rep = CliHarness.run("report", id, "-o", report.toString(), "--history", h);
        assertThat(rep.exit()).as(rep.err()).isZero();
        String html = Files.readString(report);
        assertThat(html).contains("\"id\":\"" + id + "\"").doesNotContainPattern("(src|href)\\s*=\\s*[\"']?(https?:)?//");
    }

    @Test
    void secretsNeverReachTheHistoryFileTheJsonOrTheSummaryAndAResumeAsksForThemAgain() throws Exception {
        Path h = dir.resolve("h.db");
        Path items = items("d0,false", "d1,true");
        CliHarness.Result first = CliHarness.run("foreach", EchoJob.class.getName(), "--items", items.toString(),
                "-p", "api_token=tok-SECRET-123", "--conf", "spark.hadoop.fs.s3a.secret.key=conf-SECRET-456",
                "--history", h.toString(), "--json");
        assertThat(first.exit()).as(first.err()).isEqualTo(1);
        String id = JSON.readTree(first.out()).get("batchId").asText();
        assertThat(first.out() + first.err()).doesNotContain("tok-SECRET-123").contains("api_token=***");
        // the exit value of item 0 echoed the token: masked too
        assertThat(JSON.readTree(first.out()).get("runs").get(0).get("exitValue").asText()).contains("api_token=***");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("h.db")).toList()) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(bytes).as(f.toString()).doesNotContain("tok-SECRET-123").doesNotContain("conf-SECRET-456");
            }
        }
        CliHarness.Result noToken = CliHarness.run("resume", id, "-p", "fail=false", "--history", h.toString());
        assertThat(noToken.exit()).isEqualTo(2);
        assertThat(noToken.err()).contains("parameter 'api_token' of batch " + id + " is a secret and was not recorded",
                "-p api_token=VALUE");
        CliHarness.Result noConf = CliHarness.run("resume", id, "-p", "fail=false", "-p", "api_token=tok-SECRET-123",
                "--history", h.toString());
        assertThat(noConf.exit()).isEqualTo(2);
        assertThat(noConf.err()).contains("--conf spark.hadoop.fs.s3a.secret.key=VALUE");
        int before = EchoJob.RUNS.get();
        CliHarness.Result ok = CliHarness.run("resume", id, "-p", "fail=false", "-p", "api_token=tok-SECRET-123",
                "--conf", "spark.hadoop.fs.s3a.secret.key=conf-SECRET-456", "--history", h.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(EchoJob.RUNS.get() - before).isEqualTo(1);
    }

    @Test
    void badHistoryInputIsAUsageErrorAndNothingRuns() throws Exception {
        Path garbage = dir.resolve("garbage.db");
        Files.writeString(garbage, "not a database ".repeat(500));
        int before = EchoJob.RUNS.get();
        CliHarness.Result r = CliHarness.run("foreach", EchoJob.class.getName(), "--range", "n=1..3", "--history", garbage.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("history file " + garbage + " is corrupt or not a SQLite database").doesNotContain("\tat ");
        assertThat(EchoJob.RUNS.get()).isEqualTo(before);

        CliHarness.Result unknown = CliHarness.run("resume", "nope-123", "--history", dir.resolve("fresh.db").toString());
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no batch 'nope-123' in history file");

        CliHarness.Result badSecrets = CliHarness.run("foreach", EchoJob.class.getName(), "--range", "n=1..3", "--secrets", "(oops",
                "--history", dir.resolve("fresh.db").toString());
        assertThat(badSecrets.exit()).isEqualTo(2);
        assertThat(badSecrets.err()).contains("--secrets: secret name pattern '(oops' is not a regular expression");

        CliHarness.Result both = CliHarness.run("foreach", EchoJob.class.getName(), "--range", "n=1..3", "--no-history",
                "--report", dir.resolve("r.html").toString());
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("cannot be used with --no-history");
        assertThat(EchoJob.RUNS.get()).isEqualTo(before);

        CliHarness.Result wrongJob = CliHarness.run("history", "--state", "failed", "--history", dir.resolve("fresh.db").toString());
        assertThat(wrongJob.exit()).isEqualTo(2);
        assertThat(wrongJob.err()).contains("--state filters the items of one batch");
    }
}
