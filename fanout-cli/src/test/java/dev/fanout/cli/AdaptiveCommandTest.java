package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.cli.testjobs.EchoJob;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --parallelism adaptive} and {@code --order} on the command line: the change lines, the history, bad values. */
class AdaptiveCommandTest {
    private static final String ECHO = EchoJob.class.getName();
    /** Runs that wait 600 ms on the driver: no tasks, little CPU, so more runs at once are faster on any machine. */
    private static final String[] WAIT = {dev.fanout.cli.testjobs.HeartbeatTaskJob.class.getName(), "-p", "driverMs=600"};
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CHANGE = Pattern.compile("fanout: parallelism adaptive: (\\d+) \u2192 (\\d+) \\((.+)\\)");

    @TempDir
    Path dir;

    @Test
    void adaptiveSaysWhereItStartsPrintsEachChangeWithItsReasonAndTheHistoryShowsThem() throws Exception {
        String h = dir.resolve("h.db").toString();
        CliHarness.Result r = CliHarness.run(concat(WAIT, "--range", "n=1..40", "--parallelism", "adaptive:..6",
                "--order", "input", "--json", "--history", h));
        assertThat(r.exit()).as(r.err()).isZero();
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(r.err()).contains("fanout: parallelism adaptive: starts at local mode (local[4])");
        Matcher m = CHANGE.matcher(r.err());
        assertThat(m.find()).as("a change line in %s", r.err()).isTrue();
        int from = Integer.parseInt(m.group(1));
        int to = Integer.parseInt(m.group(2));
        assertThat(to).isBetween(1, 6);
        assertThat(to).isNotEqualTo(from);
        assertThat(m.group(3)).isNotBlank();
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.get("counts").get("SUCCEEDED").asInt()).isEqualTo(40);
        assertThat(doc.get("parallelism").asInt()).isLessThanOrEqualTo(6);
        String id = doc.get("batchId").asText();

        CliHarness.Result shown = CliHarness.run("history", id, "--history", h);
        assertThat(shown.out()).contains("execution 1 at ").contains(": parallelism " + from + " \u2192 " + to + " (" + m.group(3) + ")");
        JsonNode recorded = JSON.readTree(CliHarness.run("history", id, "--history", h, "--json").out());
        JsonNode first = recorded.get("executions").get(0).get("parallelismChanges").get(0);
        assertThat(first.get("from").asInt()).isEqualTo(from);
        assertThat(first.get("to").asInt()).isEqualTo(to);
        assertThat(first.get("reason").asText()).isEqualTo(m.group(3));
        assertThat(cores).isPositive();
    }

    @Test
    void theReportDrawsTheLimitOverTimeAgainstRunsInFlightWithEachChangeAndItsReason() throws Exception {
        HeadlessChromium chromium = new HeadlessChromium(dir);
        Path report = dir.resolve("report.html");
        CliHarness.Result r = CliHarness.run(concat(WAIT, "--range", "n=1..40", "--parallelism", "adaptive:..6",
                "--history", dir.resolve("h.db").toString(), "--report", report.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        Matcher m = CHANGE.matcher(r.err());
        int changes = 0;
        String firstReason = null;
        while (m.find()) {
            changes++;
            firstReason = firstReason == null ? m.group(3) : firstReason;
        }
        assertThat(changes).as("change lines in %s", r.err()).isPositive();

        String dom = chromium.dom(report, dir.resolve("console.log"));
        assertThat(dom).contains("data-rendered=\"true\"", "Parallelism limit over time");
        assertThat(HeadlessChromium.count(dom, "class=\"limit-chart\"")).isEqualTo(1);
        assertThat(HeadlessChromium.count(dom, "class=\"limit\"")).as("the limit's step line").isEqualTo(1);
        assertThat(HeadlessChromium.count(dom, "class=\"inflight-vs-limit\"")).isEqualTo(1);
        assertThat(HeadlessChromium.count(dom, "class=\"limit-change\"")).as("a dot per change").isEqualTo(changes);
        assertThat(dom).contains(firstReason);
        java.util.Map<Integer, Integer> pixels = chromium.pixels(report, 1280, 4000, 0xe8590c, 0x868e96);
        assertThat(pixels.get(0xe8590c)).as("pixels of the change dots").isGreaterThan(10 * changes);
        assertThat(pixels.get(0x868e96)).as("pixels of the limit's line").isGreaterThan(200);
    }

    private static String[] concat(String[] job, String... rest) {
        String[] all = new String[1 + job.length + rest.length];
        all[0] = "foreach";
        System.arraycopy(job, 0, all, 1, job.length);
        System.arraycopy(rest, 0, all, 1 + job.length, rest.length);
        return all;
    }

    @Test
    void badOrderAndAdaptiveValuesAreUsageErrors() {
        CliHarness.Result order = CliHarness.run("foreach", ECHO, "--range", "n=1..3", "--order", "shortest");
        assertThat(order.exit()).isEqualTo(2);
        assertThat(order.err()).contains("--order must be 'longest-first' or 'input', got 'shortest'");
        CliHarness.Result bounds = CliHarness.run("foreach", ECHO, "--range", "n=1..3", "--parallelism", "adaptive:8..2");
        assertThat(bounds.exit()).isEqualTo(2);
        assertThat(bounds.err()).contains("--parallelism: parallelism 'adaptive:8..2': min 8 is above max 2");
        CliHarness.Result cores = CliHarness.run("foreach", ECHO, "--range", "n=1..3", "--parallelism", "adaptive", "--cores-per-run", "2");
        assertThat(cores.exit()).isEqualTo(2);
        assertThat(cores.err()).contains("--cores-per-run applies to --parallelism auto only");
    }
}
