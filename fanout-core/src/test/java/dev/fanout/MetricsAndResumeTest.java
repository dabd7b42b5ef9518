package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.SharedSpark;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SharedSpark.class)
class MetricsAndResumeTest {

    @TempDir
    Path dir;

    @Test
    void eachRunCarriesTheTaskMetricsOfItsOwnSparkJobsOnly(SparkSession spark) {
        // Three inputs of different sizes and partition counts: each run must report exactly its own reads.
        int[][] shapes = {{1000, 2}, {5000, 3}, {20000, 4}};
        for (int[] s : shapes) {
            spark.range(0, s[0], 1, s[1]).write().parquet(dir.resolve("in-" + s[0]).toString());
        }
        SparkJob job = ctx -> {
            long n = ctx.spark().read().parquet(dir.resolve("in-" + ctx.params().get("rows")).toString())
                    .selectExpr("id % 7 as k").groupBy("k").count().collectAsList().size();
            return Long.toString(n);
        };
        Fanout fanout = Fanout.builder(spark).parallelism(3).build();
        BatchResult result = fanout.forEach(job, List.of(Map.of("rows", "1000"), Map.of("rows", "5000"), Map.of("rows", "20000")));
        assertThat(result.succeeded()).isTrue();
        for (int i = 0; i < shapes.length; i++) {
            SparkMetrics m = result.runs().get(i).metrics();
            assertThat(m.inputRecords()).as("records read by run %d", i).isEqualTo(shapes[i][0]);
            assertThat(m.inputBytes()).isPositive();
            assertThat(m.jobs()).isGreaterThanOrEqualTo(1);
            assertThat(m.stages()).isGreaterThanOrEqualTo(2); // scan + aggregate, with a shuffle between
            assertThat(m.tasks()).isGreaterThanOrEqualTo(m.stages());
            assertThat(m.shuffleWriteBytes()).isPositive();
            assertThat(m.shuffleReadBytes()).isEqualTo(m.shuffleWriteBytes());
            assertThat(m.cpuTimeNanos()).isPositive();
            assertThat(result.runs().get(i).slot()).isBetween(0, 2);
        }
    }

    @Test
    void taskTimeIsTheExecutorTimeOfTheRunsOwnTasks(SparkSession spark) {
        // Two tasks that each hold their core for at least 300 ms; the other run's tasks are instant.
        SparkJob job = ctx -> {
            long pause = ctx.get("pause", ParamType.LONG);
            ctx.spark().range(0, 2, 1, 2).foreach((org.apache.spark.api.java.function.ForeachFunction<Long>) x -> Thread.sleep(pause));
            return null;
        };
        BatchResult r = Fanout.builder(spark).parallelism(2).build()
                .forEach(job, List.of(Map.of("pause", "300"), Map.of("pause", "0")));
        SparkMetrics slow = r.runs().get(0).metrics();
        SparkMetrics quick = r.runs().get(1).metrics();
        assertThat(slow.tasks()).isEqualTo(2);
        assertThat(slow.taskTimeMillis()).as("2 tasks x 300 ms of executor time").isGreaterThanOrEqualTo(600);
        assertThat(quick.tasks()).isEqualTo(2);
    }

    @Test
    void aTimedOutRunReportsTheTasksItStartedBeforeItWasCancelled(SparkSession spark) {
        SparkJob job = ctx -> {
            ctx.spark().range(0, 4, 1, 4).foreach((org.apache.spark.api.java.function.ForeachFunction<Long>) x -> Thread.sleep(30_000));
            return null;
        };
        RunResult r = Fanout.builder(spark).parallelism(1).timeout(Duration.ofSeconds(2)).build()
                .forEach(job, List.of(Map.of())).runs().get(0);
        assertThat(r.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(r.metrics().jobs()).isEqualTo(1);
        assertThat(r.metrics().tasks()).as("killed tasks end too").isEqualTo(4);
    }

    @Test
    void aResumedBatchKeepsItsIdAndItemIndicesWithFreshJobGroups(SparkSession spark) {
        Set<String> groups = ConcurrentHashMap.newKeySet();
        Set<String> failing = ConcurrentHashMap.newKeySet();
        failing.addAll(Set.of("d2", "d7", "d11"));
        SparkJob job = ctx -> {
            groups.add(ctx.spark().sparkContext().getLocalProperty("spark.jobGroup.id"));
            ctx.spark().range(3).count();
            if (failing.contains(ctx.params().get("day"))) {
                throw new IllegalStateException("failing " + ctx.params().get("day"));
            }
            return ctx.params().get("day");
        };
        Fanout fanout = Fanout.builder(spark).parallelism(2).history(dev.fanout.history.HistoryStore.inMemory()).build();
        List<Map<String, String>> items = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            items.add(Map.of("day", "d" + i));
        }
        BatchResult first = fanout.forEach(job, items);
        Set<String> firstGroups = Set.copyOf(groups);
        failing.clear();
        groups.clear();
        BatchResult again = fanout.resume(job, first.batchId());
        assertThat(again.batchId()).isEqualTo(first.batchId());
        assertThat(again.runs()).extracting(RunResult::index).containsExactly(2, 7, 11);
        assertThat(again.runs()).extracting(RunResult::exitValue).containsExactly("d2", "d7", "d11");
        assertThat(again.runs()).extracting(RunResult::runId)
                .containsExactly(first.batchId() + "-2", first.batchId() + "-7", first.batchId() + "-11");
        assertThat(groups).hasSize(3).allMatch(g -> g.startsWith("fanout-")).doesNotContainAnyElementsOf(firstGroups);
    }

    @Test
    void secretParametersNeverReachTheSparkJobDescription(SparkSession spark) {
        Set<String> descriptions = ConcurrentHashMap.newKeySet();
        SparkJob job = ctx -> {
            descriptions.add(ctx.spark().sparkContext().getLocalProperty("spark.job.description"));
            return ctx.params().get("api_token"); // the job itself gets the real value
        };
        BatchResult r = Fanout.builder(spark).build().forEach(job, List.of(Map.of("day", "d1", "api_token", "s3cr3t-value")));
        assertThat(r.runs().get(0).exitValue()).isEqualTo("s3cr3t-value");
        assertThat(descriptions).singleElement().asString().contains("day=d1", "api_token=***").doesNotContain("s3cr3t");
        RunResult shown = Redaction.defaults().run(r.runs().get(0));
        assertThat(shown.params()).containsEntry("api_token", "***");
        assertThat(shown.exitValue()).isEqualTo("***");
    }
}
