package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.examples.airline.AirlineConfig;
import dev.fanout.examples.airline.AirlineGenerator;
import dev.fanout.examples.airline.Warehouse;
import dev.fanout.testing.SharedSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fanout demo} on a small airline (the full-size first run, which generates a year, is what README's command
 * does; here the data is generated up front with the same generator, 12 days, so the demo applies a batch and
 * recomputes the days it touched in seconds).
 */
class DemoCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void appliesTheBatchRecomputesTheTouchedDaysAndIsSafeToRunAgain() throws Exception {
        SparkSession spark = SharedSpark.session();
        Warehouse warehouse = new Warehouse(dir.resolve("demo"));
        AirlineConfig config = new AirlineConfig(3L, 0.01, LocalDate.of(2026, 5, 1), 12, LocalDate.of(2026, 5, 9), 2);
        AirlineGenerator.generate(spark, warehouse, config);

        CliHarness.Result first = CliHarness.run("demo", "--dir", warehouse.dir().toString(), "--batch", "2", "--parallelism", "2");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.err()).contains("reusing the data generated there (scale 0.01)")
                .contains("applying batch file 2 (" + warehouse.batchFile(2) + ")")
                .containsPattern("\\d+ flight days touched \\(2026-05-\\d\\d \\.\\. 2026-05-\\d\\d\\)")
                .containsPattern("DailyMetrics, (\\d+) run\\(s\\) at parallelism 2 in .*: \\1 succeeded, 0 failed")
                .contains("metrics: " + warehouse.dailyMetrics());
        assertThat(first.out()).containsPattern("Top routes by revenue on 2026-05-(09|1\\d):")
                .containsPattern("On 2026-05-0[1-8] \\(flown\\): \\d+ flights, [\\d.]+% departed");
        Dataset<Row> metrics = spark.read().format("delta").load(warehouse.dailyMetrics());
        long rows = metrics.count();
        assertThat(rows).isPositive();

        // Again, with --json: the same days, the same metrics, and one JSON document on stdout.
        CliHarness.Result again = CliHarness.run("demo", "--dir", warehouse.dir().toString(), "--batch", "2", "--parallelism", "2", "--json");
        assertThat(again.exit()).as(again.err()).isZero();
        JsonNode doc = JSON.readTree(again.out());
        assertThat(doc.get("job").asText()).isEqualTo("DailyMetrics");
        assertThat(doc.get("counts").get("SUCCEEDED").asInt()).isPositive();
        assertThat(again.err()).contains("Top routes by revenue on");
        assertThat(spark.read().format("delta").load(warehouse.dailyMetrics()).count()).isEqualTo(rows);
    }

    @Test
    void badOptionsAreRejectedBeforeAnythingStarts() throws Exception {
        Warehouse warehouse = new Warehouse(dir.resolve("small"));
        AirlineGenerator.generate(SharedSpark.session(), warehouse,
                new AirlineConfig(3L, 0.01, LocalDate.of(2026, 5, 1), 3, LocalDate.of(2026, 5, 2), 1));

        CliHarness.Result batch = CliHarness.run("demo", "--dir", warehouse.dir().toString(), "--batch", "2");
        assertThat(batch.exit()).isEqualTo(2);
        assertThat(batch.err()).contains("--batch must be between 1 and 1, got 2").doesNotContain("\tat ");

        CliHarness.Result scale = CliHarness.run("demo", "--dir", warehouse.dir().toString(), "--scale", "2");
        assertThat(scale.exit()).isEqualTo(2);
        assertThat(scale.err()).contains("--scale 2.0: --dir " + warehouse.dir() + " holds data generated with --scale 0.01");

        CliHarness.Result zero = CliHarness.run("demo", "--dir", dir.resolve("fresh").toString(), "--scale", "0");
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err()).contains("--scale 0.0: scale must be above 0");
        assertThat(dir.resolve("fresh")).doesNotExist();
    }
}
