package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.cli.testjobs.EchoJob;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report as a person sees it: rendered by headless Chromium (Debian's {@code chromium}, which
 * {@code .ci/run} installs), with the page's own script drawing the charts. Checks the DOM after the script ran
 * (one bar per run, colored by outcome; where the time went: a stacked bar of driver CPU, executor CPU and waiting for
 * cores for the batch and for each run) and the pixels of a screenshot (the bars are really painted).
 */
class ReportInBrowserTest {
    private static final Path CHROMIUM = Path.of(System.getProperty("fanout.test.chromium", "/usr/bin/chromium"));
    private static final int GREEN = 0x2f9e44;
    private static final int RED = 0xe03131;
    private static final int DRIVER_CPU = 0x7048e8;

    @TempDir
    Path dir;

    @Test
    void theTimelineIsDrawnWithOneBarPerRunColoredByOutcomeAndWhereTheTimeWent() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM))
                .as("the report test needs Chromium at %s: apt-get install -y chromium (.ci/run does)", CHROMIUM).isTrue();
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

        String dom = chromium("--dump-dom", report.toUri().toString());
        assertThat(dom).contains("data-rendered=\"true\"");
        assertThat(count(dom, "class=\"run\"")).as("bars in the timeline").isEqualTo(10);
        assertThat(count(dom, "data-outcome=\"FAILED\"")).isEqualTo(2);
        assertThat(count(dom, "data-outcome=\"SUCCEEDED\"")).isEqualTo(8);
        assertThat(dom).contains("Runs that did not succeed (2)", "asked to fail", "cluster utilisation");
        // each bar carries its hover text: parameters, attempts with outcome and time, Spark cost
        assertThat(dom).containsPattern("<title>#3  FAILED\\s+day=d3 fail=true\\s+started [^<]*slot \\d\\s+attempt 1: FAILED after \\d+ms");
        assertThat(dom).containsPattern("<title>#0  SUCCEEDED\\s+day=d0 fail=false[^<]*Spark: \\d+ tasks");
        assertThat(dom).containsPattern("<title>#0  SUCCEEDED[^<]*driver CPU [\\d.]+m?s, executor CPU [\\d.]+m?s, waiting for cores [\\d.]+m?s");

        // where the time went: a legend, the batch's stacked bar and one stacked bar per run
        assertThat(dom).contains("Where the time went: driver CPU, executor CPU, waiting for cores", "class=\"legend cost-legend\"")
                .containsPattern("process CPU [^<]+ in [^<]+ · driver CPU [^<]+ · driver busy \\d+ % of \\d+ cores · executors busy");
        assertThat(count(dom, "class=\"cost cost-batch\"")).isEqualTo(1);
        assertThat(count(dom, "class=\"cost cost-runs\"")).isEqualTo(1);
        assertThat(count(dom, "class=\"breakdown\"")).as("the batch's bar and one per run").isEqualTo(11);
        assertThat(count(dom, "data-part=\"driver\"")).as("the batch and every run that ran a Spark job used driver CPU")
                .isGreaterThanOrEqualTo(9);
        assertThat(count(dom, "data-part=\"executor\"")).as("the 8 that ran a Spark job used executor CPU")
                .isGreaterThanOrEqualTo(9);

        Path png = dir.resolve("shot.png");
        chromium("--screenshot=" + png, "--window-size=1280,1200", report.toUri().toString());
        BufferedImage image = ImageIO.read(png.toFile());
        int green = 0;
        int red = 0;
        int driver = 0;
        int nonWhite = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                green += rgb == GREEN ? 1 : 0;
                red += rgb == RED ? 1 : 0;
                driver += rgb == DRIVER_CPU ? 1 : 0;
                nonWhite += rgb != 0xffffff ? 1 : 0;
            }
        }
        assertThat(nonWhite).as("screenshot not blank").isGreaterThan(image.getWidth() * image.getHeight() / 50);
        assertThat(green).as("pixels of succeeded bars").isGreaterThan(2000);
        assertThat(red).as("pixels of failed bars").isGreaterThan(20);
        assertThat(driver).as("pixels of driver CPU in the stacked bars").isGreaterThan(300);
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Runs headless Chromium with the flags this network needs, a fresh profile, and returns its stdout. */
    private String chromium(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "chromium", ".out");
        Path err = Files.createTempFile(dir, "chromium", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
            assertThat(p.exitValue()).as(Files.readString(err)).isZero();
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
