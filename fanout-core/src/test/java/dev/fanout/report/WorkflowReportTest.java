package dev.fanout.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.BadInputException;
import dev.fanout.Fanout;
import dev.fanout.JobContext;
import dev.fanout.SparkJob;
import dev.fanout.history.HistoryStore;
import dev.fanout.testing.SharedSpark;
import dev.fanout.workflow.Workflow;
import dev.fanout.workflow.WorkflowResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The report of a workflow run: a real run and its resume on local Spark, read back from the history. */
@ExtendWith(SharedSpark.class)
class WorkflowReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "hunter2-do-not-show";

    /** Runs a tiny Spark job; fails while its {@code day} is in {@link #FAILING}; returns {@code value}. */
    public static final class DayJob implements SparkJob {
        static final Set<String> FAILING = ConcurrentHashMap.newKeySet();

        @Override
        public String run(JobContext ctx) {
            ctx.spark().range(5).count();
            String day = ctx.params().getOrDefault("day", "-");
            if (FAILING.contains(day)) {
                throw new IllegalStateException("no data for " + day + "\n\tat the second line");
            }
            return ctx.params().getOrDefault("value", day);
        }
    }

    @TempDir
    Path dir;

    static JsonNode data(String html) throws Exception {
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"fanout-data\">(.*?)</script>", Pattern.DOTALL)
                .matcher(html);
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).doesNotContain("<", ">");
        return JSON.readTree(m.group(1));
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    @Test
    void aRunAndItsResumeDrawEveryTaskAndIterationWithSkippedAndKeptTasksAndSecretsMasked(SparkSession spark) throws Exception {
        Path file = Files.writeString(dir.resolve("wf.yml"), """
                name: report-me
                params: {db_password: %s, region: eu}
                tasks:
                  - key: first
                    job: %s
                    params: {value: '["d1", "d2", "d3"]'}
                  - key: days
                    depends_on: [first]
                    for_each: [{items: "{{tasks.first.value}}", as: day}]
                    job: %s
                    params: {day: "{{day}}", password: "{{params.db_password}}", region: "{{params.region}}"}
                  - key: summary
                    depends_on: [days]
                    job: %s
                  - key: alert
                    depends_on: [days]
                    run_if: at_least_one_failed
                    job: %s
                """.formatted(SECRET, DayJob.class.getName(), DayJob.class.getName(), DayJob.class.getName(),
                DayJob.class.getName()), StandardCharsets.UTF_8);
        Workflow wf = Workflow.read(file);
        DayJob.FAILING.add("d2");
        // in memory: the SQLite store does not keep the error of a run without attempts yet (a skipped task's why)
        try (HistoryStore store = HistoryStore.inMemory();
             Fanout fanout = Fanout.builder(spark).parallelism(2).history(store).build()) {
            WorkflowResult first = fanout.run(wf, Map.of());
            assertThat(first.exitCode()).isEqualTo(1);
            String runId = first.runId();

            Path report = dir.resolve("first.html");
            Reports.html(store, runId, report);
            String html = Files.readString(report);
            assertThat(html).doesNotContain(SECRET).contains("<title>fanout workflow report " + runId + " report-me</title>");
            JsonNode data = data(html);
            assertThat(data.get("kind").asText()).isEqualTo("workflow");
            assertThat(data.get("params").get("db_password").asText()).isEqualTo("***");
            assertThat(data.get("params").get("region").asText()).isEqualTo("eu");
            JsonNode tasks = data.get("tasks");
            assertThat(texts(tasks, "key")).containsExactly("first", "days", "summary", "alert");
            assertThat(texts(tasks, "outcome")).containsExactly("SUCCEEDED", "FAILED", "SKIPPED", "SUCCEEDED");
            JsonNode days = tasks.get(1);
            assertThat(days.get("batchId").asText()).isEqualTo(first.task("days").batchId());
            JsonNode runs = days.get("taskBatches").get(0).get("executions").get(0).get("runs");
            assertThat(runs).hasSize(3);
            assertThat(texts(runs, "outcome")).containsExactly("SUCCEEDED", "FAILED", "SUCCEEDED");
            runs.forEach(r -> assertThat(r.get("params").get("password").asText()).isEqualTo("***"));
            assertThat(runs.get(1).get("error").get("message").asText()).startsWith("no data for d2");
            assertThat(runs.get(1).get("attemptDetails")).hasSize(1);
            JsonNode summary = tasks.get(2);
            assertThat(summary.get("batchId").isNull()).as("a skipped task has no batch").isTrue();
            assertThat(summary.get("taskBatches")).isEmpty();
            assertThat(summary.get("error").get("message").asText()).contains("all_success", "days FAILED");

            DayJob.FAILING.clear();
            WorkflowResult again = fanout.resume(wf, runId, Map.of("db_password", SECRET)); // a secret is not recorded
            assertThat(again.exitCode()).isZero();
            Reports.html(store, runId, report);
            data = data(Files.readString(report));
            tasks = data.get("tasks");
            assertThat(data.get("run").get("executions")).hasSize(2);
            assertThat(texts(tasks, "outcome")).containsExactly("SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SKIPPED");
            assertThat(tasks.get(0).get("kept").asBoolean()).as("first was not run again").isTrue();
            assertThat(tasks.get(0).get("execution").asInt()).isEqualTo(1);
            assertThat(tasks.get(0).get("taskBatches").get(0).get("executions").get(0).get("runs")).hasSize(1);
            assertThat(tasks.get(1).get("kept").asBoolean()).isFalse();
            // days: the first execution's three runs and the resume's rerun of d2, each at its time
            JsonNode dayExecutions = tasks.get(1).get("taskBatches").get(0).get("executions");
            assertThat(dayExecutions).hasSize(2);
            assertThat(dayExecutions.get(1).get("runs")).singleElement()
                    .satisfies(r -> assertThat(r.get("params").get("day").asText()).isEqualTo("d2"));
            assertThat(tasks.get(3).get("error").get("message").asText()).contains("at_least_one_failed");

            // the history's JSON of the run: tasks with outcome, value, batch and each iteration's latest run
            JsonNode history = JSON.readTree(Reports.workflowHistory(store, runId));
            assertThat(history.get("workflow").asText()).isEqualTo("report-me");
            assertThat(history.get("params").get("db_password").asText()).isEqualTo("***");
            assertThat(texts(history.get("tasks"), "key")).containsExactly("first", "days", "summary", "alert");
            JsonNode hDays = history.get("tasks").get(1);
            assertThat(hDays.get("value").asText()).isEqualTo("[\"d1\",\"d2\",\"d3\"]");
            assertThat(hDays.get("batchId").asText()).isEqualTo(again.task("days").batchId());
            assertThat(texts(hDays.get("iterations"), "outcome")).containsExactly("SUCCEEDED", "SUCCEEDED", "SUCCEEDED");
            assertThat(hDays.get("iterations").get(1).get("execution").asInt()).as("d2 ran again in the resume").isEqualTo(2);
            JsonNode alert = history.get("tasks").get(3);
            assertThat(alert.get("batchId").isNull()).as("alert was skipped in the resume").isTrue();
            assertThat(alert.get("batches").get(0).asText()).as("it ran in the first execution").isEqualTo(first.task("alert").batchId());
            assertThat(Reports.workflowHistory(store, runId)).doesNotContain(SECRET);

            // a task's batch is a batch like any other
            Reports.html(store, again.task("days").batchId(), report);
            JsonNode batch = data(Files.readString(report));
            assertThat(batch.has("kind")).isFalse();
            assertThat(batch.get("batch").get("executions")).hasSize(2);
        }
    }

    @Test
    void aLargeRunFromTheHistoryHasEveryIterationAndAResumeMarked() throws Exception {
        try (HistoryStore store = HistoryStore.sqlite(dir.resolve("history.db"))) {
            WorkflowHistoryFixture.write(store, "wf-big", 1000, 8, true);
            String html = HtmlReport.render(store, "wf-big");
            JsonNode data = data(html);
            JsonNode tasks = data.get("tasks");
            assertThat(texts(tasks, "key")).containsExactly("prepare", "days", "summary", "alert");
            JsonNode executions = tasks.get(1).get("taskBatches").get(0).get("executions");
            assertThat(executions.get(0).get("runs")).hasSize(1000);
            assertThat(executions.get(1).get("runs")).hasSize(11); // 13, 110, ..., 983: every 97th failed
            assertThat(tasks.get(0).get("kept").asBoolean()).isTrue();
            assertThat(tasks.get(3).get("outcome").asText()).isEqualTo("SKIPPED");
            assertThat(data.get("run").get("executions")).hasSize(2);

            JsonNode history = JSON.readTree(Reports.workflowHistory(store, "wf-big"));
            assertThat(history.get("tasks").get(1).get("iterations")).hasSize(1000)
                    .allSatisfy(i -> assertThat(i.get("outcome").asText()).isEqualTo("SUCCEEDED"));
            JsonNode alert = history.get("tasks").get(3);
            assertThat(alert.get("batchId").isNull()).isTrue();
            assertThat(alert.get("batches").get(0).asText()).as("alert ran in the first execution").isEqualTo("wf-big.alert");
        }
    }

    @Test
    void aBatchIsNotAWorkflowRun() {
        try (HistoryStore store = HistoryStore.inMemory()) {
            WorkflowHistoryFixture.write(store, "wf", 3, 2, false);
            assertThatThrownBy(() -> Reports.workflowHistory(store, "wf.days")).isInstanceOf(BadInputException.class)
                    .hasMessage("wf.days is a batch of job Day, not a workflow run");
            assertThatThrownBy(() -> Reports.workflowHistory(store, "nope")).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("no batch 'nope'");
        }
    }
}
