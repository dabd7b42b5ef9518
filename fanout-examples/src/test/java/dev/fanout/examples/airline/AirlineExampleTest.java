package dev.fanout.examples.airline;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.BatchResult;
import dev.fanout.Fanout;
import dev.fanout.NonRetryableException;
import dev.fanout.Outcome;
import dev.fanout.RunFailedException;
import dev.fanout.RunResult;
import dev.fanout.testing.SharedSpark;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The airline example on real Delta tables: a small data set (30 flights a day for 20 days), generated once for the
 * class; the tests that change it run in order (parallel recompute, batch merge, recompute of the touched days).
 */
@ExtendWith(SharedSpark.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AirlineExampleTest {
    private static final AirlineConfig CONFIG =
            new AirlineConfig(7L, 0.03, LocalDate.of(2026, 3, 1), 20, LocalDate.of(2026, 3, 13), 2);

    @TempDir
    static Path tmp;

    private SparkSession spark;
    private Warehouse warehouse;
    private AirlineGenerator.Summary generated;
    private List<String> touchedDays;

    @BeforeAll
    void generate(SparkSession spark) {
        this.spark = spark;
        this.warehouse = new Warehouse(tmp.resolve("airline"));
        this.generated = AirlineGenerator.generate(spark, warehouse, CONFIG);
    }

    private Dataset<Row> table(String path) {
        return spark.read().format("delta").load(path);
    }

    private List<Map<String, String>> days(List<String> days) {
        return DailyMetrics.params(warehouse, days);
    }

    private List<String> allDays() {
        List<String> days = new ArrayList<>();
        for (LocalDate d = CONFIG.start(); !d.isAfter(CONFIG.end()); d = d.plusDays(1)) {
            days.add(d.toString());
        }
        return days;
    }

    private static void assertSameRows(Dataset<Row> actual, Dataset<Row> expected) {
        assertThat(actual.columns()).containsExactly(expected.columns());
        long n = expected.count();
        assertThat(n).isPositive();
        assertThat(actual.count()).as("row count").isEqualTo(n);
        assertThat(actual.exceptAll(expected).limit(5).collectAsList()).as("rows not in the reference").isEmpty();
        assertThat(expected.exceptAll(actual).limit(5).collectAsList()).as("reference rows missing").isEmpty();
    }

    @Test
    @Order(1)
    void theDataLooksLikeAnAirline() throws IOException {
        assertThat(generated.airports()).isGreaterThanOrEqualTo(100);
        assertThat(table(warehouse.airports()).count()).isEqualTo(generated.airports());
        assertThat(generated.flights()).isEqualTo(table(warehouse.flights()).count());
        long perDay = generated.flights() / CONFIG.days();
        assertThat(perDay).isBetween(24L, 36L); // about 1,000 x 0.03, fewer on Saturdays

        // Each aircraft leaves from where it last landed, after it landed.
        spark.read().format("delta").load(warehouse.flights()).createOrReplaceTempView("flights_t");
        long broken = spark.sql("""
                SELECT COUNT(*) FROM (
                  SELECT origin, scheduled_departure,
                         LAG(destination) OVER (PARTITION BY flight_day, tail_number ORDER BY scheduled_departure) AS prev_dest,
                         LAG(scheduled_arrival) OVER (PARTITION BY flight_day, tail_number ORDER BY scheduled_departure) AS prev_arr
                  FROM flights_t) WHERE prev_dest IS NOT NULL AND (prev_dest <> origin OR prev_arr > scheduled_departure)
                """).first().getLong(0);
        assertThat(broken).isZero();

        // Operations exist for flown days only; bookings never exceed the seats.
        Row opsRange = table(warehouse.flightOps()).agg(org.apache.spark.sql.functions.max("flight_day")).first();
        assertThat(opsRange.getDate(0).toLocalDate()).isEqualTo(CONFIG.asOf().minusDays(1));
        table(warehouse.bookings()).createOrReplaceTempView("bookings_t");
        long overbooked = spark.sql("""
                SELECT COUNT(*) FROM (SELECT flight_day, flight_number, SUM(seats) AS sold FROM bookings_t
                                      WHERE status = 'CONFIRMED' GROUP BY flight_day, flight_number) b
                JOIN flights_t f USING (flight_day, flight_number) WHERE b.sold > f.seats
                """).first().getLong(0);
        assertThat(overbooked).isZero();

        // The batch files touch recent past days, and mostly days ahead.
        List<String> lines = Files.readAllLines(warehouse.batchFile(1));
        assertThat(lines.get(0)).isEqualTo(BatchFiles.HEADER);
        List<LocalDate> rowDays = lines.stream().skip(1).map(l -> LocalDate.parse(l.split(",")[2])).toList();
        long past = rowDays.stream().filter(d -> d.isBefore(CONFIG.asOf())).count();
        assertThat(past).isPositive().isLessThan(rowDays.size() - past);
        assertThat(rowDays).allSatisfy(d -> assertThat(d).isBetween(CONFIG.asOf().minusDays(14), CONFIG.end()));
        assertThat(lines.stream().skip(1).map(l -> l.split(",")[0]).distinct()).containsExactlyInAnyOrder("NEW", "CHANGE", "CANCEL");
    }

    @Test
    @Order(2)
    void theSameSeedGivesTheSameData() {
        Warehouse again = new Warehouse(tmp.resolve("again"));
        AirlineConfig small = new AirlineConfig(CONFIG.seed(), CONFIG.scale(), CONFIG.start(), 6, CONFIG.start().plusDays(3), 1);
        AirlineGenerator.generate(spark, again, small);
        Dataset<Row> days = table(warehouse.bookings()).where(col("flight_day").lt(java.sql.Date.valueOf(small.start().plusDays(6))));
        Dataset<Row> flights = table(warehouse.flights()).where(col("flight_day").lt(java.sql.Date.valueOf(small.start().plusDays(6))));
        assertSameRows(table(again.flights()), flights);
        assertSameRows(table(again.flightOps()), table(warehouse.flightOps()).where(col("flight_day").lt(java.sql.Date.valueOf(small.asOf()))));
        // Bookings of days already flown do not depend on "today"; the same rows come out.
        assertSameRows(table(again.bookings()).where(col("flight_day").lt(java.sql.Date.valueOf(small.asOf()))),
                days.where(col("flight_day").lt(java.sql.Date.valueOf(small.asOf()))));
        assertThat(again.generatedWith()).contains(small);
    }

    @Test
    @Order(3)
    void eachDayReadsOnlyItsOwnPartitions() {
        LocalDate day = CONFIG.start().plusDays(10);
        String plan = DailyMetrics.compute(spark, warehouse, day).queryExecution().executedPlan().toString();
        List<String> scans = plan.lines().filter(l -> l.contains("FileScan")).toList();
        assertThat(String.join("\n", scans)).as(plan).contains("/flights]", "/flight_ops]", "/bookings]");
        assertThat(scans).allSatisfy(scan -> assertThat(scan).contains("PartitionFilters: [isnotnull(flight_day")
                .contains("(flight_day#").contains("= " + day + ")"));
        // And the files behind them are that day's only.
        assertThat(table(warehouse.bookings()).where(DailyMetrics.onDay(day)).inputFiles())
                .isNotEmpty().allSatisfy(f -> assertThat(f).contains("/flight_day=" + day + "/"));
    }

    @Test
    @Order(4)
    void allDaysInParallelEqualTheSetBasedReference() {
        DailyMetrics.createTable(spark, warehouse);
        BatchResult result = Fanout.builder(spark).parallelism(4).build().forEach(new DailyMetrics(), days(allDays()));
        assertThat(result.runs()).extracting(RunResult::outcome).containsOnly(Outcome.SUCCEEDED);
        assertThat(result.runs().get(0).exitValue()).startsWith("{\"day\":\"" + CONFIG.start() + "\",\"rows\":");
        assertSameRows(table(warehouse.dailyMetrics()), ReferenceMetrics.all(spark, warehouse));
        assertThat(table(warehouse.dailyMetrics()).inputFiles()).hasSize(CONFIG.days()); // one file per day
    }

    @Test
    @Order(5)
    void applyingABatchMergesItAndReturnsTheDaysItTouched() throws Exception {
        // The first 30 changes of batch file 1: a batch that touches some of the days, not all.
        Path file = tmp.resolve("batch-head.csv");
        Files.write(file, Files.readAllLines(warehouse.batchFile(1)).subList(0, 31));
        long before = table(warehouse.bookings()).count();
        Map<Long, String[]> latest = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
            String[] f = line.split(",");
            latest.merge(Long.parseLong(f[1]), f, (a, b) -> b[11].compareTo(a[11]) >= 0 ? b : a);
        }
        long newIds = latest.keySet().stream().filter(id -> id >= 9_000_000_000_000L).count();
        Map<String, String> params = Map.of("batch", file.toString(), "warehouse", warehouse.dir().toString());

        String touched = Fanout.builder(spark).build().run(new ApplyBatch(), params);

        List<String> expectedDays = latest.values().stream().map(f -> "\"" + f[2] + "\"").distinct().sorted().toList();
        assertThat(touched).isEqualTo("[" + String.join(",", expectedDays) + "]");
        assertThat(table(warehouse.bookings()).count()).isEqualTo(before + newIds);
        Map<Long, Row> stored = table(warehouse.bookings()).where(col("booking_id").isin(latest.keySet().toArray()))
                .collectAsList().stream().collect(Collectors.toMap(r -> r.<Long>getAs("booking_id"), r -> r));
        assertThat(stored).hasSize(latest.size());
        latest.forEach((id, f) -> {
            Row r = stored.get(id);
            assertThat(r.<String>getAs("status")).as("booking %d", id).isEqualTo(f[9]);
            assertThat(r.getAs("flight_day").toString()).isEqualTo(f[2]);
            if (!f[0].equals("CANCEL")) {
                assertThat(r.<Integer>getAs("seats")).as("booking %d", id).isEqualTo(Integer.parseInt(f[7]));
                assertThat(r.<java.math.BigDecimal>getAs("fare")).isEqualByComparingTo(f[8]);
                assertThat(r.<String>getAs("fare_class")).isEqualTo(f[6]);
            }
        });

        // Applying it again changes nothing.
        long version = DeltaTable.forPath(spark, warehouse.bookings()).history(1).first().<Long>getAs("version");
        Dataset<Row> afterFirst = spark.read().format("delta").option("versionAsOf", version).load(warehouse.bookings());
        assertThat(Fanout.builder(spark).build().run(new ApplyBatch(), params)).isEqualTo(touched);
        assertSameRows(table(warehouse.bookings()), afterFirst);
        touchedDays = AirlineExampleTest.parseDays(touched);
        assertThat(touchedDays).hasSizeLessThan(CONFIG.days()).hasSizeGreaterThan(3);
    }

    @Test
    @Order(6)
    void recomputingTheTouchedDaysAgainEqualsTheReference() {
        assertThat(touchedDays).as("set by the batch test").isNotNull();
        // Before: the touched days' metrics are stale, so the table differs from the reference.
        assertThat(table(warehouse.dailyMetrics()).exceptAll(ReferenceMetrics.all(spark, warehouse)).count()).isPositive();
        BatchResult result = Fanout.builder(spark).parallelism(3).build().forEach(new DailyMetrics(), days(touchedDays));
        assertThat(result.runs()).extracting(RunResult::outcome).containsOnly(Outcome.SUCCEEDED);
        assertSameRows(table(warehouse.dailyMetrics()), ReferenceMetrics.all(spark, warehouse));
    }

    @Test
    @Order(7)
    void concurrentRewritesOfOneDayAreRetriedAndLeaveItOnce() {
        String day = CONFIG.start().plusDays(5).toString();
        BatchResult result = Fanout.builder(spark).parallelism(4).build().forEach(new DailyMetrics(), days(List.of(day, day, day, day)));
        assertThat(result.runs()).extracting(RunResult::outcome).containsOnly(Outcome.SUCCEEDED);
        assertThat(result.runs()).allSatisfy(r -> assertThat(r.attempts()).hasSize(1)); // retried inside the write, not re-run
        assertSameRows(table(warehouse.dailyMetrics()), ReferenceMetrics.all(spark, warehouse));
    }

    @Test
    @Order(8)
    void aMalformedBatchFailsNamingTheFileAndWritesNothing() throws IOException {
        long version = DeltaTable.forPath(spark, warehouse.bookings()).history(1).first().<Long>getAs("version");
        List<String> lines = Files.readAllLines(warehouse.batchFile(2));
        Path bad = tmp.resolve("bad-batch.csv");
        List<String> badLines = new ArrayList<>(lines.subList(0, 4));
        badLines.add(lines.get(4).replaceFirst(",(CONFIRMED|CANCELLED),", ",LOST,"));
        Files.write(bad, badLines);
        Fanout once = Fanout.builder(spark).build();
        assertThatThrownBy(() -> once.run(new ApplyBatch(), Map.of("batch", bad.toString(), "warehouse", warehouse.dir().toString())))
                .isInstanceOf(RunFailedException.class).cause().isInstanceOf(NonRetryableException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("1 malformed row").hasMessageContaining("LOST");

        Path unknown = tmp.resolve("unknown-flight.csv");
        Files.write(unknown, List.of(lines.get(0), lines.get(1).replaceFirst(",FO\\d+,", ",FO99999,")));
        assertThatThrownBy(() -> once.run(new ApplyBatch(), Map.of("batch", unknown.toString(), "warehouse", warehouse.dir().toString())))
                .cause().hasMessageContaining(unknown.toString()).hasMessageContaining("flight FO99999");

        Path header = tmp.resolve("no-header.csv");
        Files.write(header, lines.subList(1, 3));
        assertThatThrownBy(() -> once.run(new ApplyBatch(), Map.of("batch", header.toString(), "warehouse", warehouse.dir().toString())))
                .cause().hasMessageContaining(header + ": line 1 is");
        assertThat(DeltaTable.forPath(spark, warehouse.bookings()).history(1).first().<Long>getAs("version")).isEqualTo(version);
    }

    static List<String> parseDays(String json) {
        return List.of(json.replaceAll("[\\[\\]\"]", "").split(","));
    }
}
