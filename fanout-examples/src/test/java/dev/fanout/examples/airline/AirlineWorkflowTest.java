package dev.fanout.examples.airline;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.Fanout;
import dev.fanout.Jobs;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.history.HistoryStore;
import dev.fanout.testing.SharedSpark;
import dev.fanout.workflow.TaskResult;
import dev.fanout.workflow.Workflow;
import dev.fanout.workflow.WorkflowListener;
import dev.fanout.workflow.WorkflowResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code workflows/airline.yml}, copied out of the classpath as the demo does and run through the library
 * on a small airline: the batch is applied, exactly its days are recomputed (equal to the independent reference query),
 * and the summary's totals are those of the reference's rows of those days.
 */
@ExtendWith(SharedSpark.class)
class AirlineWorkflowTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AirlineConfig CONFIG =
            new AirlineConfig(5L, 0.01, LocalDate.of(2026, 4, 1), 10, LocalDate.of(2026, 4, 7), 1);

    @TempDir
    Path tmp;

    @Test
    void theShippedWorkflowAppliesTheBatchRecomputesItsDaysAndTotalsThem(SparkSession spark) throws Exception {
        Warehouse warehouse = new Warehouse(tmp.resolve("airline"));
        AirlineGenerator.generate(spark, warehouse, CONFIG);
        assertThat(Files.exists(Path.of(warehouse.dailyMetrics()))).as("no metrics table yet: ApplyBatch creates it").isFalse();

        AirlineWorkflow.Copy copy = AirlineWorkflow.copyTo(warehouse.dir());
        assertThat(copy.workflow()).isEqualTo(warehouse.dir().resolve("airline.yml")).isRegularFile();
        assertThat(warehouse.dir().resolve("sql/summary.sql")).isRegularFile();
        assertThat(copy.replaced()).isEmpty();
        Workflow wf = Workflow.read(copy.workflow());
        assertThat(wf.topologicalOrder()).extracting(t -> t.key())
                .containsExactly(AirlineWorkflow.APPLY_BATCH, AirlineWorkflow.DAILY_METRICS, AirlineWorkflow.SUMMARY);

        List<String> events = new ArrayList<>();
        WorkflowResult result;
        try (HistoryStore store = HistoryStore.inMemory();
             Fanout fanout = Fanout.builder(spark).parallelism(3).history(store).build()) {
            result = fanout.run(wf, AirlineWorkflow.params(warehouse.batchFile(1), warehouse), Jobs.classLoader(List.of()),
                    new WorkflowListener() {
                        @Override
                        public synchronized void onTaskEnd(String runId, TaskResult r) {
                            events.add(r.key() + " " + r.outcome());
                        }
                    });
            assertThat(store.require(result.runId()).isWorkflow()).isTrue();
        }
        assertThat(result.exitCode()).as("%s", result.tasks()).isZero();
        assertThat(events).containsExactly("apply_batch SUCCEEDED", "daily_metrics SUCCEEDED", "summary SUCCEEDED");

        // apply_batch's value is the days the file touches; daily_metrics ran once per day, in that order
        List<String> days = JSON.readValue(result.task("apply_batch").value(), JSON.getTypeFactory()
                .constructCollectionType(List.class, String.class));
        List<String> inFile = Files.readAllLines(warehouse.batchFile(1)).stream().skip(1).map(l -> l.split(",")[2])
                .distinct().sorted().toList();
        assertThat(days).isEqualTo(inFile).hasSizeGreaterThan(2);
        assertThat(result.task("daily_metrics").iterations()).extracting(r -> r.params().get("day")).isEqualTo(days);
        assertThat(result.task("daily_metrics").iterations()).extracting(RunResult::outcome).containsOnly(Outcome.SUCCEEDED);

        // the metrics table holds exactly those days, equal to the reference
        Dataset<Row> metrics = spark.read().format("delta").load(warehouse.dailyMetrics());
        Dataset<Row> reference = ReferenceMetrics.all(spark, warehouse)
                .where(col("flight_day").cast("string").isin(days.toArray()));
        assertThat(metrics.count()).isEqualTo(reference.count()).isPositive();
        assertThat(metrics.exceptAll(reference).count()).isZero();
        assertThat(reference.exceptAll(metrics).count()).isZero();

        // the summary: flown days, days ahead, all; totals of the reference's route rows of those days
        JsonNode rows = JSON.readTree(result.task("summary").value());
        Map<String, long[]> expected = expectedTotals(reference);
        List<String> periods = new ArrayList<>();
        rows.forEach(r -> periods.add(r.get("period").asText()));
        assertThat(periods).isEqualTo(new ArrayList<>(expected.keySet()));
        for (JsonNode r : rows) {
            long[] e = expected.get(r.get("period").asText());
            assertThat(new long[] {r.get("days").asLong(), r.get("flights").asLong(), r.get("cancelled").asLong(),
                    r.get("seats_sold").asLong(), r.get("capacity").asLong(), r.get("flown").asLong(),
                    r.get("revenue").decimalValue().movePointRight(2).longValueExact()})
                    .as("period %s", r.get("period")).containsExactly(e);
            assertThat(r.get("load_factor").asDouble()).isBetween(0.0, 1.0);
        }
        assertThat(rows.get(0).get("first_day").asText()).isEqualTo(days.get(0));
        assertThat(rows.get(rows.size() - 1).get("last_day").asText()).isEqualTo(days.get(days.size() - 1));

        // copying again leaves the files alone; a changed copy is replaced by the shipped one
        Files.writeString(copy.workflow(), "name: changed\n");
        AirlineWorkflow.Copy again = AirlineWorkflow.copyTo(warehouse.dir());
        assertThat(again.replaced()).containsExactly(copy.workflow());
        assertThat(Workflow.read(again.workflow()).tasks()).hasSize(3);
        assertThat(AirlineWorkflow.copyTo(warehouse.dir()).replaced()).isEmpty();
    }

    /** Per period (flown: some flight landed that day; ahead; all): days, flights, cancelled, sold, capacity, flown, revenue in cents. */
    private static Map<String, long[]> expectedTotals(Dataset<Row> reference) {
        Map<String, long[]> perDay = new TreeMap<>();
        for (Row r : reference.where(col("grain").equalTo("route")).collectAsList()) {
            long[] t = perDay.computeIfAbsent(r.getAs("flight_day").toString(), d -> new long[7]);
            t[0] = 1;
            t[1] += nz(r.getAs("flights"));
            t[2] += nz(r.getAs("cancelled_flights"));
            t[3] += nz(r.getAs("seats_sold"));
            t[4] += nz(r.getAs("capacity"));
            t[5] += nz(r.getAs("flown"));
            java.math.BigDecimal revenue = r.getAs("revenue");
            t[6] += revenue == null ? 0 : revenue.movePointRight(2).longValueExact();
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String period : List.of("flown", "ahead")) {
            perDay.values().stream().filter(t -> (t[5] > 0) == period.equals("flown")).forEach(t -> add(out, period, t));
        }
        perDay.values().forEach(t -> add(out, "all", t));
        return out;
    }

    private static void add(Map<String, long[]> out, String period, long[] t) {
        long[] sum = out.computeIfAbsent(period, p -> new long[7]);
        for (int i = 0; i < t.length; i++) {
            sum[i] += t[i];
        }
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }
}
