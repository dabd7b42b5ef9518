package dev.fanout.cli;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.JobContext;
import dev.fanout.SparkJob;
import dev.fanout.cli.bench.PatternsBenchmark;
import dev.fanout.cli.bench.PatternsBenchmark.Pattern;
import dev.fanout.examples.airline.AirlineConfig;
import dev.fanout.examples.airline.AirlineGenerator;
import dev.fanout.examples.airline.ReferenceMetrics;
import dev.fanout.examples.airline.Warehouse;
import dev.fanout.testing.SharedSpark;
import io.delta.tables.DeltaTable;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code fanout bench patterns} on a small airline (2 days at scale 0.01, one round): every pattern's row in the table,
 * the speed-up column, the chart; and, on a job of the test's own, that a pattern writing other rows or skipping a day
 * is reported as an error.
 */
class BenchPatternsCommandTest {
    private static final String[] NAMES = {"sequential", "parallel collections", "fixed pool, FIFO", "fixed pool, FAIR pools",
            "fanout auto"};

    @TempDir
    Path dir;

    @Test
    void runsTheFivePatternsOnTheDayJobChecksTheirRowsAndDrawsTheChart() throws Exception {
        SparkSession spark = SharedSpark.session();
        Warehouse warehouse = new Warehouse(dir.resolve("demo"));
        AirlineGenerator.generate(spark, warehouse, new AirlineConfig(3L, 0.01, LocalDate.of(2026, 5, 1), 3, LocalDate.of(2026, 5, 2), 1));
        Path html = dir.resolve("out/chart.html");

        CliHarness.Result r = CliHarness.run("bench", "patterns", "--dir", warehouse.dir().toString(),
                "--range", "day=2026-05-01..2026-05-03", "--days", "2", "--rounds", "1", "--warmup-days", "0",
                "--html", html.toString());

        System.err.print(r.err());
        System.out.print(r.out());
        assertThat(r.exit()).as(r.err() + r.out()).isZero();
        assertThat(r.out()).contains("DailyMetrics over 2 day(s) 2026-05-01..2026-05-02, master local[4]; 1 round(s), no warm-up; medians")
                .containsPattern("pattern +threads +scheduling +wall s +\\(min-max\\) +CPU s +speed-up +rows");
        for (String name : NAMES) {
            Matcher m = java.util.regex.Pattern.compile("\\n" + java.util.regex.Pattern.quote(name)
                    + " +(\\d+) +(.+?) +(\\d+\\.\\d) +\\((\\d+\\.\\d)-(\\d+\\.\\d)\\) +(\\d+\\.\\d) +(\\d+\\.\\d\\d)x +ok\\n").matcher(r.out());
            assertThat(m.find()).as(name + " in\n" + r.out()).isTrue();
            assertThat(Double.parseDouble(m.group(3))).as(name + " wall").isPositive();
            assertThat(Double.parseDouble(m.group(6))).as(name + " CPU").isPositive();
            assertThat(Double.parseDouble(m.group(7))).as(name + " speed-up").isPositive();
            if (name.equals("sequential")) {
                assertThat(m.group(1)).isEqualTo("1");
                assertThat(m.group(7)).isEqualTo("1.00");
            }
            if (name.startsWith("fixed pool")) {
                assertThat(m.group(1)).isEqualTo("8");
            }
            if (name.equals("fanout auto")) {
                assertThat(m.group(2)).isEqualTo("FAIR, a pool per slot");
                Matcher slots = java.util.regex.Pattern.compile("/ (\\d+) task slot\\(s\\)").matcher(r.out());
                assertThat(slots.find()).isTrue();
                // auto: one run per task slot, no more than the days
                assertThat(Integer.parseInt(m.group(1))).isEqualTo(Math.min(2, Integer.parseInt(slots.group(1))));
            }
        }
        assertThat(r.out()).containsPattern("CPU-bound limit \\d+\\.\\ds = the sequential loop's median CPU \\d+\\.\\ds / \\d+ task slot\\(s\\)")
                .contains("sessions: each naive call on its own spark.newSession()")
                .containsPattern("fanout auto: \\d+\\.\\ds, \\d+\\.\\d\\dx the sequential loop; best naive pattern: ");
        assertThat(r.err()).doesNotContain("warm-up").contains("round 1/1: ").contains("chart: " + html);

        // the days the patterns wrote equal the independent reference query
        Dataset<Row> metrics = spark.read().format("delta").load(warehouse.dailyMetrics());
        Dataset<Row> reference = ReferenceMetrics.all(spark, warehouse).where(col("flight_day").cast("string").isin("2026-05-01", "2026-05-02"));
        assertThat(metrics.count()).isPositive().isEqualTo(reference.count());
        assertThat(metrics.exceptAll(reference).count()).isZero();

        // the chart: no script, an SVG with one bar per pattern, a whisker each and the limit line
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").doesNotContainIgnoringCase("<script").doesNotContain(" src=", "href=", "@import");
        String svg = page.substring(page.indexOf("<svg"), page.indexOf("</svg>") + "</svg>".length());
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        NodeList rects = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        List<Element> bars = new java.util.ArrayList<>();
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if ("bar".equals(e.getAttribute("class"))) {
                bars.add(e);
            }
        }
        assertThat(bars).extracting(e -> e.getAttribute("data-pattern")).containsExactly(NAMES);
        assertThat(bars).allSatisfy(e -> assertThat(Double.parseDouble(e.getAttribute("height"))).isPositive());
        assertThat(svg.split("class=\"whisker\"", -1)).hasSize(6);
        assertThat(svg).contains("class=\"limit\"").contains("CPU-bound limit");
    }

    @Test
    void aPatternThatWritesOtherRowsOrSkipsADayIsAnError() throws Exception {
        SparkSession spark = SharedSpark.session();
        String table = dir.resolve("t").toString();
        DeltaTable.createIfNotExists(spark).location(table).addColumns(TamperedJob.SCHEMA).partitionedBy("flight_day").execute();
        List<Map<String, String>> days = List.of(Map.of("day", "2026-01-01", "table", table), Map.of("day", "2026-01-02", "table", table));
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        PatternsBenchmark.Result r = new PatternsBenchmark(spark, new TamperedJob(), days, table, 1, 2, 0,
                new PrintStream(log, true, StandardCharsets.UTF_8)).run();

        assertThat(r.of(Pattern.SEQUENTIAL).error()).isNull();
        assertThat(r.of(Pattern.PARALLEL_COLLECTIONS).error()).isNull();
        assertThat(r.of(Pattern.FANOUT_AUTO).error()).isNull();
        assertThat(r.of(Pattern.POOL_FIFO).error()).startsWith("the rows differ from the sequential loop's").contains("2 missing, 2 other");
        assertThat(r.of(Pattern.POOL_FAIR).error()).contains("file(s) of the days were not rewritten by this pattern");
        assertThat(r.allChecked()).isFalse();
        assertThat(r.of(Pattern.POOL_FAIR).threads()).isEqualTo(2);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("ERROR: the rows differ");
    }

    /** Writes one row per day; a wrong value on the FIFO pool's threads, nothing at all on the FAIR pool's. */
    static final class TamperedJob implements SparkJob {
        static final StructType SCHEMA = new StructType().add("flight_day", DataTypes.DateType).add("value", DataTypes.IntegerType);

        @Override
        public String run(JobContext context) {
            String thread = Thread.currentThread().getName();
            if (thread.startsWith("bench-fanout-slot")) {
                return null; // the FAIR pool's threads are named after their pool
            }
            int value = thread.startsWith("bench-fifo") ? 2 : 1;
            java.sql.Date day = java.sql.Date.valueOf(context.get("day"));
            context.spark().createDataFrame(List.of(RowFactory.create(day, value)), SCHEMA).write().format("delta").mode("overwrite")
                    .option("replaceWhere", "flight_day = DATE'" + day + "'").save(context.get("table"));
            return null;
        }
    }
}
