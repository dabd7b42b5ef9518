package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Fanout;
import dev.fanout.Outcome;
import dev.fanout.cli.testjobs.EchoJob;
import dev.fanout.history.HistoryStore;
import dev.fanout.testing.SharedSpark;
import dev.fanout.workflow.Workflow;
import dev.fanout.workflow.WorkflowResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fanout report ID} of a workflow run as a person sees it: a real run on the shared local Spark recorded in a
 * SQLite history, the report written by the command, rendered by headless Chromium (as {@link ReportInBrowserTest}).
 * Checks the DOM after the page's script ran without an error (one lane group per task in the file's order, one bar
 * per iteration colored by outcome, the skipped task said to be skipped) and that the bars are really painted.
 */
class WorkflowReportInBrowserTest {
    private static final int GREEN = 0x2f9e44;
    private static final int RED = 0xe03131;

    @TempDir
    Path dir;

    @Test
    void theWorkflowIsDrawnWithALaneGroupPerTaskAndABarPerIteration() throws Exception {
        HeadlessChromium chromium = new HeadlessChromium(dir);
        String echo = EchoJob.class.getName();
        Path file = Files.writeString(dir.resolve("flow.yml"), """
                name: browser-flow
                tasks:
                  - key: prepare
                    job: %s
                  - key: days
                    depends_on: [prepare]
                    for_each:
                      - items: [{day: d0, fail: "false"}, {day: d1, fail: "false"}, {day: d2, fail: "true"},
                                {day: d3, fail: "false"}, {day: d4, fail: "false"}, {day: d5, fail: "false"}]
                        as: it
                    job: %s
                    params: {day: "{{it.day}}", fail: "{{it.fail}}"}
                  - key: summary
                    depends_on: [days]
                    job: %s
                  - key: alert
                    depends_on: [days]
                    run_if: at_least_one_failed
                    job: %s
                """.formatted(echo, echo, echo, echo), StandardCharsets.UTF_8);
        Path history = dir.resolve("h.db");
        String runId;
        try (HistoryStore store = HistoryStore.sqlite(history);
             Fanout fanout = Fanout.builder(SharedSpark.session()).parallelism(3).history(store).build()) {
            WorkflowResult r = fanout.run(Workflow.read(file), Map.of());
            assertThat(r.task("days").outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.task("summary").outcome()).isEqualTo(Outcome.SKIPPED);
            runId = r.runId();
        }
        Path report = dir.resolve("report.html");
        CliHarness.Result r = CliHarness.run("report", runId, "-o", report.toString(), "--history", history.toString());
        assertThat(r.exit()).as(r.err()).isZero();

        Path log = dir.resolve("console.log");
        String dom = chromium.dom(report, log);
        assertThat(dom).contains("data-rendered=\"true\"").doesNotContain("data-error=");
        assertThat(Files.readString(log)).as("the browser's console").doesNotContain("Uncaught");
        assertThat(all(dom, "<div class=\"task\" data-task=\"([^\"]+)\" data-outcome=\"([A-Z_]+)\""))
                .as("one lane group per task, in the file's order, with its outcome")
                .containsExactly("prepare SUCCEEDED", "days FAILED", "summary SKIPPED", "alert SUCCEEDED");
        assertThat(HeadlessChromium.count(dom, "class=\"bar\"")).as("a bar per iteration: 1 + 6 + 1").isEqualTo(8);
        assertThat(HeadlessChromium.count(dom, "data-outcome=\"FAILED\"></rect>")).as("bars of failed iterations").isEqualTo(1);
        // the loop's lane group: a row per slot its iterations ran in, no two bars of a row overlapping
        Matcher lanes = Pattern.compile("<svg width=\"\\d+\" height=\"(\\d+)\" class=\"lanes\" data-task=\"days\">(.*?)</svg>")
                .matcher(dom);
        assertThat(lanes.find()).isTrue();
        Set<Integer> slots = new TreeSet<>();
        try (HistoryStore store = HistoryStore.sqlite(history)) {
            store.runs(runId + ".days", 1).forEach(run -> slots.add(run.slot()));
        }
        assertThat(Integer.parseInt(lanes.group(1))).as("rows of 14px, one per slot of %s", slots).isEqualTo(slots.size() * 14 + 2);
        Map<Double, List<double[]>> rows = new TreeMap<>();
        Matcher bar = Pattern.compile("<rect x=\"([0-9.]+)\" y=\"([0-9.]+)\" width=\"([0-9.]+)\"[^>]*class=\"bar\"").matcher(lanes.group(2));
        while (bar.find()) {
            rows.computeIfAbsent(Double.parseDouble(bar.group(2)), y -> new ArrayList<>())
                    .add(new double[] {Double.parseDouble(bar.group(1)), Double.parseDouble(bar.group(3))});
        }
        assertThat(rows.values().stream().mapToInt(List::size).sum()).isEqualTo(6);
        rows.values().forEach(row -> {
            row.sort(Comparator.comparingDouble(b -> b[0]));
            for (int i = 1; i < row.size(); i++) {
                assertThat(row.get(i)[0]).as("a bar starts after the one before it in its row ends").isGreaterThan(row.get(i - 1)[0] + row.get(i - 1)[1] - 1);
            }
        });
        assertThat(dom).containsPattern("<div class=\"nobars\"[^>]*>skipped: run_if all_success does not hold");
        assertThat(dom).contains("execution 1 (first run) · failed", "IllegalStateException: asked to fail",
                "Iterations that did not succeed (1)");
        // the time axis as in the batch report: round steps in one readable unit, from 0, increasing
        Matcher ticks = Pattern.compile("<text[^>]*class=\"tick\"[^>]*>([^<]*)</text>").matcher(dom);
        List<String> labels = new ArrayList<>();
        while (ticks.find()) {
            labels.add(ticks.group(1));
        }
        assertThat(labels).as("tick labels").hasSizeGreaterThanOrEqualTo(3).first().asString().matches("0(\\.0+)? s");
        assertThat(labels).allSatisfy(l -> assertThat(l).matches("\\d+(\\.\\d+)? (s|min|h)"));
        double step = Double.parseDouble(labels.get(1).split(" ")[0]);
        assertThat(Math.round(step * Math.pow(10, -Math.floor(Math.log10(step))) * 1000) / 1000.0)
                .as("a round step: 1, 2 or 5 times a power of ten")
                .isIn(1.0, 2.0, 5.0);
        for (int i = 1; i < labels.size(); i++) {
            assertThat(Double.parseDouble(labels.get(i).split(" ")[0])).isCloseTo(i * step, org.assertj.core.data.Offset.offset(1e-9));
        }
        assertThat(dom).doesNotContainPattern(">\\+\\d");

        Map<Integer, Integer> pixels = chromium.pixels(report, 1280, 1000, GREEN, RED);
        assertThat(pixels.get(GREEN)).as("pixels of succeeded bars").isGreaterThan(300);
        assertThat(pixels.get(RED)).as("pixels of the failed bar").isGreaterThan(20);
    }

    private static List<String> all(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1) + " " + m.group(2));
        }
        return out;
    }


}
