package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.cli.testjobs.EchoJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report as a person sees it: rendered by headless Chromium (Debian's {@code chromium}, which
 * {@code .ci/run} installs), with the page's own script drawing the charts. Checks the DOM after the script ran
 * (one bar per run, colored by outcome; where the time went: a stacked bar of driver CPU, executor CPU and waiting for
 * cores for the batch and for each run) and the pixels of a screenshot (the bars are really painted).
 */
class ReportInBrowserTest {
    private static final int GREEN = 0x2f9e44;
    private static final int RED = 0xe03131;
    private static final int DRIVER_CPU = 0x7048e8;

    @TempDir
    Path dir;

    @Test
    void theTimelineIsDrawnWithOneBarPerRunColoredByOutcomeAndWhereTheTimeWent() throws Exception {
        HeadlessChromium chromium = new HeadlessChromium(dir);
        Path items = dir.resolve("items.csv");
        StringBuilder csv = new StringBuilder("day,fail\n");
        for (int i = 0; i < 10; i++) {
            csv.append("d").append(i).append(',').append(i == 3 || i == 7).append('\n');
        }
        Files.writeString(items, csv);
        Path report = dir.resolve("report.html");
        CliHarness.Result r = CliHarness.run("foreach", EchoJob.class.getName(), "--items", items.toString(), "--parallelism", "3",
                "--history", dir.resolve("h.db").toString(), "--report", report.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("report: " + report).contains("where the time went: driver ");

        String dom = chromium.dom(report, dir.resolve("console.log"));
        assertThat(dom).contains("data-rendered=\"true\"");
        assertThat(HeadlessChromium.count(dom, "class=\"run\"")).as("bars in the timeline").isEqualTo(10);
        assertThat(HeadlessChromium.count(dom, "data-outcome=\"FAILED\"")).isEqualTo(2);
        assertThat(HeadlessChromium.count(dom, "data-outcome=\"SUCCEEDED\"")).isEqualTo(8);
        assertThat(dom).contains("Runs that did not succeed (2)", "asked to fail", "cluster utilisation");
        // each bar carries its hover text: parameters, attempts with outcome and time, Spark cost
        assertThat(dom).containsPattern("<title>#3  FAILED\\s+day=d3 fail=true\\s+started [^<]*slot \\d\\s+attempt 1: FAILED after \\d+ms");
        assertThat(dom).containsPattern("<title>#0  SUCCEEDED\\s+day=d0 fail=false[^<]*Spark: \\d+ tasks");
        assertThat(dom).containsPattern("<title>#0  SUCCEEDED[^<]*driver CPU [\\d.]+m?s, executor CPU [\\d.]+m?s, waiting for cores [\\d.]+m?s");

        // where the time went: a legend, the batch's stacked bar and one stacked bar per run
        assertThat(dom).contains("Where the time went: driver CPU, executor CPU, waiting for cores", "class=\"legend cost-legend\"")
                .containsPattern("process CPU [^<]+ in [^<]+ · driver CPU [^<]+ · driver busy \\d+ % of \\d+ cores · executors busy");
        assertThat(HeadlessChromium.count(dom, "class=\"cost cost-batch\"")).isEqualTo(1);
        assertThat(HeadlessChromium.count(dom, "class=\"cost cost-runs\"")).isEqualTo(1);
        assertThat(HeadlessChromium.count(dom, "class=\"breakdown\"")).as("the batch's bar and one per run").isEqualTo(11);
        assertThat(HeadlessChromium.count(dom, "data-part=\"driver\"")).as("the batch and every run that ran a Spark job used driver CPU")
                .isGreaterThanOrEqualTo(9);
        assertThat(HeadlessChromium.count(dom, "data-part=\"executor\"")).as("the 8 that ran a Spark job used executor CPU")
                .isGreaterThanOrEqualTo(9);

        Map<Integer, Integer> pixels = chromium.pixels(report, 1280, 1200, GREEN, RED, DRIVER_CPU);
        assertThat(pixels.get(-1)).as("screenshot not blank").isGreaterThan(1280 * 1200 / 50);
        assertThat(pixels.get(GREEN)).as("pixels of succeeded bars").isGreaterThan(2000);
        assertThat(pixels.get(RED)).as("pixels of failed bars").isGreaterThan(20);
        assertThat(pixels.get(DRIVER_CPU)).as("pixels of driver CPU in the stacked bars").isGreaterThan(300);
    }

    @Test
    void theReportLeadsWithEachItemsLatestOutcomeAndAFailureExpandsToItsStackTraces() throws Exception {
        HeadlessChromium chromium = new HeadlessChromium(dir);
        Path items = dir.resolve("items.csv");
        Files.writeString(items, "day,fail\nd0,false\nd1,true\nd2,false\nd3,true\n");
        String h = dir.resolve("h.db").toString();
        CliHarness.Result first = CliHarness.run("foreach", EchoJob.class.getName(), "--items", items.toString(),
                "--retries", "1", "--history", h, "--json");
        assertThat(first.exit()).as(first.err()).isEqualTo(1);
        String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(first.out()).get("batchId").asText();
        // the resume fixes both failed items: the final state is 4 succeeded, though execution 1 had 2 failures
        CliHarness.Result resumed = CliHarness.run("resume", id, "-p", "fail=false", "--history", h);
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        Path report = dir.resolve("report.html");
        assertThat(CliHarness.run("report", id, "-o", report.toString(), "--history", h).exit()).isZero();

        String dom = chromium.dom(report, dir.resolve("console.log"));
        assertThat(dom).contains("data-rendered=\"true\"");
        // the merged view comes first: one square per item with its latest outcome, before any execution
        assertThat(dom.indexOf("class=\"final\"")).isPositive().isLessThan(dom.indexOf("class=\"execution\""));
        assertThat(dom).contains("Final state: each item's latest outcome across 2 executions", "Every item succeeded",
                "Runs that did not succeed (2)");
        assertThat(HeadlessChromium.count(dom, "class=\"item\"")).isEqualTo(4);
        assertThat(HeadlessChromium.count(dom, "data-latest=\"SUCCEEDED\"")).isEqualTo(4);
        // each failure row expands to every failed attempt's stack trace
        assertThat(dom).containsPattern("<details class=\"trace\"><summary>IllegalStateException: asked to fail</summary>"
                + "<div class=\"sub\">attempt 1: failed after [^<]+</div><pre>java.lang.IllegalStateException: asked to fail\nsecond line\n"
                + "\tat dev.fanout.cli.testjobs.EchoJob.run\\(EchoJob.java:\\d+\\)");
        // time axes in one readable unit, at round steps
        java.util.regex.Matcher ticks = java.util.regex.Pattern.compile("<text[^>]*class=\"tick\"[^>]*>([^<]*)</text>").matcher(dom);
        int n = 0;
        while (ticks.find()) {
            assertThat(ticks.group(1)).matches("\\d+(\\.\\d+)? (s|min|h)");
            n++;
        }
        assertThat(n).as("tick labels").isGreaterThanOrEqualTo(4);
    }
}
