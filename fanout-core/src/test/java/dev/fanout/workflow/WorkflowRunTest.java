package dev.fanout.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Fanout;
import dev.fanout.JobContext;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.SparkJob;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import dev.fanout.testing.SharedSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Workflows on real local Spark: order, shared slots, loop caps, values, run_if, failures and resume. */
@ExtendWith(SharedSpark.class)
class WorkflowRunTest {
    private static final String PROBE = Probe.class.getName();

    /**
     * A job that runs a small Spark job, holds its slot for {@code sleep} ms (default 300), and measures concurrency
     * from inside: runs in flight overall, per task, per {@code group} and the number of groups in flight per task.
     * Fails when its {@code id} is in {@link #FAILING}; returns {@code value} (default its id).
     */
    public static final class Probe implements SparkJob {
        static final Object LOCK = new Object();
        static final Set<String> FAILING = ConcurrentHashMap.newKeySet();
        static final Map<String, Integer> RUNS = new ConcurrentHashMap<>();
        static final Map<String, long[]> TIMES = new ConcurrentHashMap<>();
        static final Map<String, Integer> PEAK = new HashMap<>();
        static final Map<String, Integer> NOW = new HashMap<>();
        static final Map<String, Map<String, Integer>> GROUPS = new HashMap<>();

        static void reset() {
            synchronized (LOCK) {
                FAILING.clear();
                RUNS.clear();
                TIMES.clear();
                PEAK.clear();
                NOW.clear();
                GROUPS.clear();
            }
        }

        static int peak(String key) {
            synchronized (LOCK) {
                return PEAK.getOrDefault(key, 0);
            }
        }

        private static void enter(String key, int delta) {
            int n = NOW.merge(key, delta, Integer::sum);
            PEAK.merge(key, n, Math::max);
        }

        @Override
        public String run(JobContext ctx) throws Exception {
            Map<String, String> p = ctx.params();
            String id = p.getOrDefault("id", "?");
            String task = p.getOrDefault("task", "?");
            String group = p.get("group");
            long start = System.nanoTime();
            synchronized (LOCK) {
                RUNS.merge(id, 1, Integer::sum);
                enter("all", 1);
                enter("task:" + task, 1);
                if (group != null) {
                    enter("group:" + task + ":" + group, 1);
                    Map<String, Integer> g = GROUPS.computeIfAbsent(task, k -> new HashMap<>());
                    if (g.merge(group, 1, Integer::sum) == 1) {
                        enter("groups:" + task, 1);
                    }
                }
            }
            try {
                ctx.spark().range(10).count();
                Thread.sleep(Long.parseLong(p.getOrDefault("sleep", "300")));
                if (FAILING.contains(id)) {
                    throw new IllegalStateException("probe " + id + " was told to fail");
                }
                return p.getOrDefault("value", id);
            } finally {
                synchronized (LOCK) {
                    enter("all", -1);
                    enter("task:" + task, -1);
                    if (group != null) {
                        enter("group:" + task + ":" + group, -1);
                        if (GROUPS.get(task).merge(group, -1, Integer::sum) == 0) {
                            GROUPS.get(task).remove(group);
                            enter("groups:" + task, -1);
                        }
                    }
                    TIMES.put(id, new long[] {start, System.nanoTime()});
                }
            }
        }
    }

    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        Probe.reset();
    }

    private Workflow write(String yaml) throws IOException {
        return Workflow.read(Files.writeString(dir.resolve("wf.yml"), yaml.replace("PROBE", PROBE), StandardCharsets.UTF_8));
    }

    private static long start(String id) {
        return Probe.TIMES.get(id)[0];
    }

    private static long end(String id) {
        return Probe.TIMES.get(id)[1];
    }

    @Test
    void aDiamondRunsInOrderWithTheBranchesTogetherAndPassesValues(SparkSession spark) throws Exception {
        Workflow wf = write("""
                name: diamond
                params: {greeting: hello}
                tasks:
                  - key: a
                    job: PROBE
                    params: {id: a, value: '{"n": 5, "days": ["d1", "d2"]}'}
                  - key: b
                    depends_on: [a]
                    job: PROBE
                    params: {id: b, sleep: "800", value: "{{params.greeting}}-{{tasks.a.value.n}}"}
                  - key: c
                    depends_on: [a]
                    for_each:
                      - {items: "{{tasks.a.value.days}}", as: day}
                    job: PROBE
                    params: {id: "c-{{day}}", sleep: "800"}
                  - key: d
                    depends_on: [b, c]
                    job: PROBE
                    params: {id: d, value: "{{tasks.b.value}} {{tasks.c.value}}"}
                """);
        try (Fanout fanout = Fanout.builder(spark).parallelism(4).build()) {
            WorkflowResult r = fanout.run(wf, Map.of());
            assertThat(r.exitCode()).isZero();
            assertThat(r.tasks().values()).allMatch(TaskResult::succeeded);
            assertThat(end("a")).isLessThan(start("b")).isLessThan(start("c-d1"));
            // b and c ran at the same time: each started before the other ended
            assertThat(start("b")).isLessThan(end("c-d1"));
            assertThat(start("c-d1")).isLessThan(end("b"));
            assertThat(start("d")).isGreaterThan(end("b")).isGreaterThan(end("c-d1")).isGreaterThan(end("c-d2"));
            assertThat(r.task("b").value()).isEqualTo("hello-5");
            assertThat(r.task("c").value()).isEqualTo("[\"c-d1\",\"c-d2\"]");
            assertThat(r.task("d").value()).isEqualTo("hello-5 [\"c-d1\",\"c-d2\"]");
        }
    }

    @Test
    void parallelBranchesAndNestedLoopsShareTheSlotsAndEachLoopKeepsItsConcurrency(SparkSession spark) throws Exception {
        Workflow wf = write("""
                name: shared-slots
                tasks:
                  - key: nested
                    for_each:
                      - items: [{name: r1, days: [1, 2, 3]}, {name: r2, days: [4, 5, 6]}, {name: r3, days: [7, 8]}]
                        as: region
                        concurrency: 2
                      - {items: "{{region.days}}", as: day, concurrency: 2}
                    job: PROBE
                    params: {id: "n-{{region.name}}-{{day}}", task: nested, group: "{{region.name}}", sleep: "400"}
                  - key: flat
                    for_each:
                      - {items: {range: "1..8"}, as: n}
                    job: PROBE
                    params: {id: "f-{{n}}", task: flat, sleep: "400"}
                """);
        try (Fanout fanout = Fanout.builder(spark).parallelism(3).build()) {
            WorkflowResult r = fanout.run(wf, Map.of());
            assertThat(r.exitCode()).isZero();
            assertThat(Probe.peak("all")).as("runs in flight over both tasks").isEqualTo(3);
            assertThat(Probe.peak("groups:nested")).as("regions in flight").isLessThanOrEqualTo(2);
            for (String region : List.of("r1", "r2", "r3")) {
                assertThat(Probe.peak("group:nested:" + region)).as("days of " + region + " in flight").isLessThanOrEqualTo(2);
            }
            // the inner loop's items came from the outer item: every (region, day) pair ran once, in item order
            assertThat(r.task("nested").iterations()).extracting(it -> it.params().get("id")).containsExactly(
                    "n-r1-1", "n-r1-2", "n-r1-3", "n-r2-4", "n-r2-5", "n-r2-6", "n-r3-7", "n-r3-8");
            assertThat(r.task("flat").iterations()).hasSize(8);
        }
    }

    @Test
    void aLoopCapOfOneRunsItsIterationsOneAtATime(SparkSession spark) throws Exception {
        Workflow wf = write("""
                name: capped
                parallelism: 2
                tasks:
                  - key: one
                    for_each: [{items: [a, b, c, d], as: x, concurrency: 1}]
                    job: PROBE
                    params: {id: "one-{{x}}", task: one, sleep: "200"}
                  - key: other
                    for_each: [{items: [a, b, c, d, e, f], as: x}]
                    job: PROBE
                    params: {id: "other-{{x}}", task: other, sleep: "200"}
                """);
        try (Fanout fanout = Fanout.builder(spark).parallelism(6).build()) {
            fanout.run(wf, Map.of());
            assertThat(Probe.peak("task:one")).isEqualTo(1);
            assertThat(Probe.peak("all")).as("the file's parallelism 2 within the Fanout's 6").isEqualTo(2);
        }
    }

    @Test
    void aLoopOverTheRowsOfAnUpstreamSqlTask(SparkSession spark) throws Exception {
        Files.writeString(dir.resolve("days.sql"), "SELECT id AS n, concat('day-', id) AS label FROM range(3) ORDER BY id");
        Workflow wf = write("""
                name: sql-rows
                tasks:
                  - key: days
                    sql: days.sql
                  - key: each
                    depends_on: [days]
                    for_each: [{items: "{{tasks.days.value}}", as: row}]
                    job: PROBE
                    params: {id: "{{row.label}}", value: "{{row.n}}", sleep: "10"}
                """);
        try (Fanout fanout = Fanout.builder(spark).parallelism(2).build()) {
            WorkflowResult r = fanout.run(wf, Map.of());
            assertThat(r.task("days").value()).isEqualTo("[{\"n\":0,\"label\":\"day-0\"},{\"n\":1,\"label\":\"day-1\"},{\"n\":2,\"label\":\"day-2\"}]");
            assertThat(r.task("each").iterations()).extracting(it -> it.params().get("id")).containsExactly("day-0", "day-1", "day-2");
            assertThat(r.task("each").value()).as("numbers stay numbers in a loop's value").isEqualTo("[0,1,2]");
        }
    }

    @Test
    void everyRunIfValue(SparkSession spark) throws Exception {
        Probe.FAILING.add("bad");
        StringBuilder yaml = new StringBuilder("""
                name: run-if
                tasks:
                  - {key: ok, job: PROBE, params: {id: ok, sleep: "10"}}
                  - {key: bad, job: PROBE, params: {id: bad, sleep: "10"}}
                """);
        for (RunIf v : RunIf.values()) {
            yaml.append("  - {key: both_").append(v.spec()).append(", depends_on: [ok, bad], run_if: ").append(v.spec())
                    .append(", job: PROBE, params: {id: both_").append(v.spec()).append(", sleep: \"10\"}}\n");
            yaml.append("  - {key: bad_").append(v.spec()).append(", depends_on: [bad], run_if: ").append(v.spec())
                    .append(", job: PROBE, params: {id: bad_").append(v.spec()).append(", sleep: \"10\"}}\n");
        }
        yaml.append("  - {key: after_skip, depends_on: [both_all_success], run_if: none_failed, job: PROBE, params: {id: x}}\n");
        try (Fanout fanout = Fanout.builder(spark).parallelism(4).build()) {
            WorkflowResult r = fanout.run(write(yaml.toString()), Map.of());
            Map<String, Outcome> got = new HashMap<>();
            r.tasks().forEach((k, t) -> got.put(k, t.outcome()));
            assertThat(got).containsEntry("ok", Outcome.SUCCEEDED).containsEntry("bad", Outcome.FAILED)
                    .containsEntry("both_all_success", Outcome.SKIPPED)
                    .containsEntry("both_all_done", Outcome.SUCCEEDED)
                    .containsEntry("both_none_failed", Outcome.SKIPPED)
                    .containsEntry("both_at_least_one_success", Outcome.SUCCEEDED)
                    .containsEntry("both_at_least_one_failed", Outcome.SUCCEEDED)
                    .containsEntry("both_all_failed", Outcome.SKIPPED)
                    .containsEntry("bad_all_success", Outcome.SKIPPED)
                    .containsEntry("bad_all_done", Outcome.SUCCEEDED)
                    .containsEntry("bad_none_failed", Outcome.SKIPPED)
                    .containsEntry("bad_at_least_one_success", Outcome.SKIPPED)
                    .containsEntry("bad_at_least_one_failed", Outcome.SUCCEEDED)
                    .containsEntry("bad_all_failed", Outcome.SUCCEEDED)
                    .containsEntry("after_skip", Outcome.SKIPPED);
            assertThat(r.task("both_all_success").error().message()).contains("ok SUCCEEDED", "bad FAILED");
            assertThat(r.exitCode()).isEqualTo(1);
        }
    }

    @Test
    void aFailingIterationSkipsWhatNeedsSuccessRunsTheAlertAndResumeRerunsExactlyItAndItsDependents(SparkSession spark)
            throws Exception {
        Workflow wf = write("""
                name: resume-me
                params: {suffix: one}
                tasks:
                  - key: first
                    job: PROBE
                    params: {id: first, value: '["d1", "d2", "d3", "d4"]', sleep: "10"}
                  - key: days
                    depends_on: [first]
                    for_each: [{items: "{{tasks.first.value}}", as: day, concurrency: 2}]
                    job: PROBE
                    params: {id: "{{day}}", value: "{{day}}-{{params.suffix}}", sleep: "50"}
                    retries: 1
                  - key: summary
                    depends_on: [days]
                    job: PROBE
                    params: {id: summary, value: "{{tasks.days.value}}", sleep: "10"}
                  - key: alert
                    depends_on: [days]
                    run_if: at_least_one_failed
                    job: PROBE
                    params: {id: alert, sleep: "10"}
                """);
        Probe.FAILING.add("d3");
        try (HistoryStore store = HistoryStore.sqlite(dir.resolve("history.db"));
             Fanout fanout = Fanout.builder(spark).parallelism(3).history(store).build()) {
            WorkflowResult first = fanout.run(wf, Map.of());
            assertThat(first.exitCode()).isEqualTo(1);
            assertThat(first.task("days").outcome()).isEqualTo(Outcome.FAILED);
            assertThat(first.task("days").error().message()).contains("iteration 2", "day=d3", "probe d3 was told to fail");
            assertThat(first.task("summary").outcome()).isEqualTo(Outcome.SKIPPED);
            assertThat(first.task("alert").outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(Probe.RUNS).containsEntry("d3", 2).containsEntry("d1", 1); // retries: 1

            // the history: one line for the run, its tasks as items, each task's iterations as its own batch
            BatchRecord run = store.require(first.runId());
            assertThat(run.isWorkflow()).isTrue();
            assertThat(store.batches(10)).extracting(BatchRecord::id).containsExactly(first.runId());
            assertThat(store.items(first.runId())).extracting(ItemRecord::state)
                    .containsExactly(ItemState.SUCCEEDED, ItemState.FAILED, ItemState.SKIPPED, ItemState.SUCCEEDED);
            assertThat(store.taskBatches(first.runId())).extracting(BatchRecord::task).containsExactly("first", "days", "alert");

            Probe.FAILING.clear();
            Probe.RUNS.clear();
            WorkflowResult again = fanout.resume(wf, first.runId(), Map.of("suffix", "two"));
            assertThat(again.runId()).isEqualTo(first.runId());
            assertThat(again.exitCode()).isZero();
            assertThat(Probe.RUNS).as("only the failed iteration and what depends on it ran again")
                    .containsOnlyKeys("d3", "summary").containsEntry("d3", 1);
            assertThat(again.task("first").kept()).isTrue();
            assertThat(again.task("alert").outcome()).as("nothing failed this time").isEqualTo(Outcome.SKIPPED);
            // kept iterations keep their recorded values; the rerun one renders with the resume's params
            assertThat(again.task("days").value()).isEqualTo("[\"d1-one\",\"d2-one\",\"d3-two\",\"d4-one\"]");
            assertThat(again.task("summary").value()).isEqualTo(again.task("days").value());
            assertThat(again.task("days").batchId()).as("the same task batch, a new execution").isEqualTo(first.task("days").batchId());
            assertThat(store.items(first.task("days").batchId())).allMatch(i -> i.state() == ItemState.SUCCEEDED);
            assertThat(store.require(first.runId()).state()).hasToString("SUCCEEDED");

            WorkflowResult nothing = fanout.resume(wf, first.runId(), Map.of());
            assertThat(nothing.tasks().values()).allMatch(t -> t.kept() || t.outcome() == Outcome.SKIPPED);
            List<RunResult> ran = new ArrayList<>();
            nothing.tasks().values().forEach(t -> ran.addAll(t.kept() ? List.of() : t.iterations()));
            assertThat(ran).isEmpty();
        }
    }
}
