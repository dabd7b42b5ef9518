package dev.fanout.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.BadInputException;
import dev.fanout.JobContext;
import dev.fanout.Parallelism;
import dev.fanout.SparkJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading workflow files: the issue's example into the model, and bad files refused with the file, line and problem. */
class WorkflowReadTest {
    /** The example of issue "Workflows", verbatim: the format's contract. */
    static final String ISSUE_EXAMPLE = """
            name: airline-nightly                   # required
            params:                                 # workflow parameters with defaults; `-p name=value` overrides
              batch: "1"
              warehouse: fanout-demo
            parallelism: 4                          # or auto: ONE set of slots (FAIR pool each) shared by every task and iteration
            defaults: {timeout: 30m, retries: 2}    # for every task unless it sets its own
            tasks:
              - key: apply_batch                    # unique; letters, digits, _ and -
                job: dev.fanout.examples.airline.ApplyBatch       # a SparkJob class (found on the classpath or in --jars) ...
                params: {batch: "{{params.batch}}", warehouse: "{{params.warehouse}}"}
                retries: 0
              - key: daily_metrics
                depends_on: [apply_batch]
                for_each:                           # a list of loops; a later loop may use an earlier loop's variable (nesting)
                  - items: "{{tasks.apply_batch.value}}"   # an upstream task's JSON-array value, a YAML list, or {range: "FROM..TO[:STEP]"}
                    as: day
                    concurrency: 8                  # at most this many iterations of this loop at once, within the shared slots
                job: dev.fanout.examples.airline.DailyMetrics
                params: {day: "{{day}}", warehouse: "{{params.warehouse}}"}
                timeout: 10m
              - key: summary
                depends_on: [daily_metrics]
                sql: sql/summary.sql                # ... or a .sql file (issue "SQL jobs"), relative to the workflow file
              - key: alert
                depends_on: [daily_metrics, summary]
                run_if: at_least_one_failed         # all_success (default), all_done, none_failed, at_least_one_success, at_least_one_failed, all_failed
                job: com.example.Alert
            """;

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("wf.yml"), yaml, StandardCharsets.UTF_8);
    }

    private Workflow read(String yaml) throws IOException {
        return Workflow.read(write(yaml));
    }

    /** The file is refused with {@code FILE:LINE:} first and every part in the message. */
    private void assertBad(String yaml, int line, String... parts) throws IOException {
        Path file = write(yaml);
        assertThatThrownBy(() -> Workflow.read(file))
                .isInstanceOf(BadInputException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith(file + ":" + line + ": ").contains(parts));
    }

    @Test
    void theIssuesExampleReadsIntoTheModel() throws IOException {
        Workflow wf = read(ISSUE_EXAMPLE);
        assertThat(wf.name()).isEqualTo("airline-nightly");
        assertThat(wf.params()).containsExactly(Map.entry("batch", "1"), Map.entry("warehouse", "fanout-demo"));
        assertThat(wf.parallelism()).contains(Parallelism.fixed(4));
        assertThat(wf.defaults()).isEqualTo(new Workflow.Defaults(Optional.of(Duration.ofMinutes(30)), OptionalInt.of(2)));
        assertThat(wf.path()).isEqualTo(dir.resolve("wf.yml").toAbsolutePath());
        assertThat(wf.tasks()).extracting(Task::key).containsExactly("apply_batch", "daily_metrics", "summary", "alert");

        Task apply = wf.task("apply_batch").orElseThrow();
        assertThat(apply.job()).contains("dev.fanout.examples.airline.ApplyBatch");
        assertThat(apply.sql()).isEmpty();
        assertThat(apply.params()).containsOnlyKeys("batch", "warehouse");
        assertThat(apply.params().get("batch").references()).containsExactly(new Template.ParamRef("batch"));
        assertThat(apply.retries()).hasValue(0);
        assertThat(wf.retries(apply)).hasValue(0);
        assertThat(wf.timeout(apply)).contains(Duration.ofMinutes(30));
        assertThat(apply.runIf()).isEqualTo(RunIf.ALL_SUCCESS);
        assertThat(apply.line()).isEqualTo(8);

        Task daily = wf.task("daily_metrics").orElseThrow();
        assertThat(daily.dependsOn()).containsExactly("apply_batch");
        assertThat(daily.forEach()).singleElement().satisfies(loop -> {
            assertThat(loop.as()).isEqualTo("day");
            assertThat(loop.concurrency()).hasValue(8);
            assertThat(loop.items()).isEqualTo(new Loop.Reference(Template.parse("{{tasks.apply_batch.value}}")));
            assertThat(((Loop.Reference) loop.items()).template().references())
                    .containsExactly(new Template.TaskRef("apply_batch", Optional.empty()));
            assertThat(loop.line()).isEqualTo(15);
        });
        assertThat(daily.params().get("day").references()).containsExactly(new Template.VarRef("day", Optional.empty()));
        assertThat(wf.timeout(daily)).contains(Duration.ofMinutes(10));
        assertThat(wf.retries(daily)).hasValue(2);

        Task summary = wf.task("summary").orElseThrow();
        assertThat(summary.sql()).contains(dir.resolve("sql/summary.sql").toAbsolutePath());
        assertThat(summary.job()).isEmpty();
        assertThat(summary.loops()).isFalse();

        Task alert = wf.task("alert").orElseThrow();
        assertThat(alert.runIf()).isEqualTo(RunIf.AT_LEAST_ONE_FAILED);
        assertThat(alert.dependsOn()).containsExactly("daily_metrics", "summary");

        assertThat(wf.topologicalOrder()).extracting(Task::key).containsExactly("apply_batch", "daily_metrics", "summary", "alert");
        assertThat(wf.upstream("alert")).containsExactly("apply_batch", "daily_metrics", "summary");
    }

    @Test
    void nestedLoopsRangesListsAndValuesOfTasksUpstreamIndirectly() throws IOException {
        Workflow wf = read("""
                name: nested
                params: {region_list: '[{"name":"eu","days":["2026-01-01"]}]'}
                parallelism: auto
                tasks:
                  - key: load
                    job: com.example.Load
                  - key: middle
                    depends_on: load
                    job: com.example.Middle
                  - key: per_region_day
                    depends_on: [middle]
                    for_each:
                      - items: "{{params.region_list}}"
                        as: region
                      - items: "{{region.days}}"
                        as: day
                      - items: {range: "1..10:3"}
                        as: n
                      - items: [a, {code: b, weight: 2}]
                        as: letter
                        concurrency: 1
                    job: com.example.PerRegionDay
                    params: {where: "{{region.name}}/{{day}}/{{n}}/{{letter.code}}", rows: "{{tasks.load.value.rows}}"}
                """);
        assertThat(wf.parallelism()).contains(Parallelism.auto());
        assertThat(wf.defaults()).isEqualTo(Workflow.Defaults.none());
        Task t = wf.task("per_region_day").orElseThrow();
        assertThat(t.forEach()).extracting(Loop::as).containsExactly("region", "day", "n", "letter");
        assertThat(t.forEach().get(1).items()).isEqualTo(new Loop.Reference(Template.parse("{{region.days}}")));
        assertThat(t.forEach().get(2).items()).isEqualTo(new Loop.Range("1..10:3"));
        assertThat(t.forEach().get(3).items()).isEqualTo(new Loop.Values(List.of("a", Map.of("code", "b", "weight", "2"))));
        assertThat(t.forEach().get(3).concurrency()).hasValue(1);
        assertThat(t.forEach().get(0).concurrency()).isEmpty();
        assertThat(wf.task("middle").orElseThrow().dependsOn()).containsExactly("load");
    }

    @Test
    void topologicalOrderPutsEachTaskAfterItsDependenciesAndKeepsTheFileOrderOtherwise() throws IOException {
        Workflow wf = read("""
                name: diamond
                tasks:
                  - {key: join, depends_on: [left, right], job: com.example.J}
                  - {key: right, depends_on: [start], job: com.example.R}
                  - {key: other, job: com.example.O}
                  - {key: left, depends_on: [start], job: com.example.L}
                  - {key: start, job: com.example.S}
                """);
        assertThat(wf.topologicalOrder()).extracting(Task::key).containsExactly("other", "start", "right", "left", "join");
        assertThat(wf.upstream("join")).containsExactly("right", "left", "start");
    }

    @Test
    void withParamsOverridesDeclaredParamsAndRefusesOthers() throws IOException {
        Workflow wf = read(ISSUE_EXAMPLE);
        Workflow two = wf.withParams(Map.of("batch", "2"));
        assertThat(two.params()).containsExactly(Map.entry("batch", "2"), Map.entry("warehouse", "fanout-demo"));
        assertThat(wf.params().get("batch")).isEqualTo("1");
        assertThat(two.tasks()).isEqualTo(wf.tasks());
        assertThatThrownBy(() -> wf.withParams(Map.of("warehose", "x")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("param 'warehose' is not a param of workflow 'airline-nightly'")
                .hasMessageContaining("wf.yml:1")
                .hasMessageContaining("did you mean 'warehouse'?");
    }

    // ---- bad files: each names the file, the line and the problem ----

    @Test
    void unknownAndMisspeltKeysAreNamedWithTheNearestKnownOne() throws IOException {
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    dependson: [b]
                """, 5, "unknown key 'dependson' in task 'a'", "did you mean 'depends_on'?");
        assertBad("""
                name: x
                parallelizm: 4
                tasks: [{key: a, job: com.example.A}]
                """, 2, "unknown key 'parallelizm' at the top level", "did you mean 'parallelism'?");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    for_each:
                      - items: [1, 2]
                        as: n
                        concurency: 2
                """, 8, "unknown key 'concurency'", "did you mean 'concurrency'?");
        assertBad("""
                name: x
                tasks: [{key: a, job: com.example.A, zzz: 1}]
                """, 2, "unknown key 'zzz' in task 'a'", "known keys: key, depends_on, job");
    }

    @Test
    void duplicateKeysNameBothLines() throws IOException {
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    job: com.example.B
                """, 5, "duplicate key 'job' (first on line 4)");
        assertBad("""
                name: x
                tasks:
                  - {key: a, job: com.example.A}
                  - {key: b, job: com.example.B}
                  - {key: a, job: com.example.C}
                """, 5, "duplicate task key 'a' (first on line 3)");
    }

    @Test
    void missingNameTasksOrKeyAndAnEmptyFile() throws IOException {
        assertBad("tasks: [{key: a, job: com.example.A}]\n", 1, "the workflow has no 'name'");
        assertBad("name: x\nparams: {a: b}\n", 1, "the workflow has no 'tasks'");
        assertBad("name: x\ntasks: []\n", 2, "'tasks' is empty");
        assertBad("""
                name: x
                tasks:
                  - {key: a, job: com.example.A}
                  - job: com.example.B
                """, 4, "task 2 has no 'key'");
        assertBad("# nothing here\n", 1, "the file is empty");
    }

    @Test
    void badTaskKeysAndJobOrSql() throws IOException {
        assertBad("name: x\ntasks:\n  - {key: daily metrics, job: com.example.A}\n", 3,
                "task key 'daily metrics' may hold only letters, digits, _ and -");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    sql: a.sql
                """, 5, "task 'a' has both 'job' (line 4) and 'sql'");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    params: {p: v}
                """, 3, "task 'a' needs 'job' (a SparkJob class) or 'sql' (a .sql file)");
        assertBad("name: x\ntasks:\n  - {key: a, job: queries/a.sql}\n", 3, "job 'queries/a.sql' is a SQL file; write sql: queries/a.sql");
    }

    @Test
    void unknownDependenciesAndCycles() throws IOException {
        assertBad("""
                name: x
                tasks:
                  - {key: apply_batch, job: com.example.A}
                  - key: b
                    depends_on: [apply_bach]
                    job: com.example.B
                """, 5, "task 'b' depends on 'apply_bach', which is no task of this workflow", "did you mean 'apply_batch'?");
        assertBad("""
                name: x
                tasks:
                  - {key: a, depends_on: [c], job: com.example.A}
                  - {key: b, depends_on: [a], job: com.example.B}
                  - {key: c, depends_on: [b], job: com.example.C}
                """, 4, "cycle: a -> c -> b -> a");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    depends_on:
                      - a
                    job: com.example.A
                """, 5, "cycle: a -> a");
    }

    @Test
    void referencesToUnknownParamsTasksOrTasksNotUpstream() throws IOException {
        assertBad("""
                name: x
                params: {warehouse: w}
                tasks:
                  - key: a
                    job: com.example.A
                    params:
                      w: "{{params.warehose}}"
                """, 7, "task 'a': {{params.warehose}} names no param of the workflow", "did you mean 'warehouse'?");
        assertBad("""
                name: x
                tasks:
                  - {key: a, job: com.example.A}
                  - key: b
                    job: com.example.B
                    params: {v: "{{tasks.zzz.value}}"}
                """, 6, "task 'b': {{tasks.zzz.value}} names no task");
        assertBad("""
                name: x
                tasks:
                  - {key: a, job: com.example.A}
                  - key: b
                    job: com.example.B
                    params: {v: "{{tasks.a.value.rows}}"}
                """, 6, "{{tasks.a.value.rows}} is the value of task 'a', which task 'b' does not depend on (directly or not)",
                "add 'a' to its depends_on");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    params: {v: "{{tasks.a.value}}"}
                """, 5, "the task's own value");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    params: {v: "{{params.x"}
                """, 5, "task 'a': param 'v': '{{' without '}}'");
    }

    @Test
    void loopVariablesMustExistAndALoopMayUseOnlyEarlierLoops() throws IOException {
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    for_each:
                      - {items: [1, 2], as: day}
                    params: {d: "{{dya}}"}
                """, 7, "{{dya}} is no loop variable of the task (its loops bind day)", "did you mean 'day'?");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    params: {d: "{{day}}"}
                """, 5, "{{day}} is no loop variable of the task (it has no for_each)");
        assertBad("""
                name: x
                params: {regions: "[]"}
                tasks:
                  - key: a
                    job: com.example.A
                    for_each:
                      - items: "{{region.days}}"
                        as: day
                      - items: "{{params.regions}}"
                        as: region
                """, 7, "the items of loop 'day' use {{region.days}}, the variable of a later loop");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    for_each:
                      - as: day
                        concurrency: 2
                """, 6, "loop 1 (day) has no 'items'");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    for_each:
                      - {items: "2026-01-01", as: day}
                """, 6, "'2026-01-01' is no reference");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    for_each:
                      - {items: {range: "2026-01-31..2026-01-01"}, as: day}
                """, 6, "range '2026-01-31..2026-01-01'", "is after TO");
    }

    @Test
    void badDurationsRunIfParallelismRetriesAndConcurrency() throws IOException {
        assertBad("name: x\ndefaults: {timeout: 30 minutes}\ntasks: [{key: a, job: com.example.A}]\n", 2,
                "defaults: timeout '30 minutes' is not a duration");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    timeout: 10mins
                """, 5, "task 'a': timeout '10mins' is not a duration");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    run_if: at_least_one_fail
                """, 5, "run_if 'at_least_one_fail' is not one of all_success, all_done", "did you mean 'at_least_one_failed'?");
        assertBad("name: x\nparallelism: many\ntasks: [{key: a, job: com.example.A}]\n", 2,
                "parallelism 'many': a number of at least 1 or 'auto'");
        assertBad("name: x\nparallelism: 0\ntasks: [{key: a, job: com.example.A}]\n", 2, "parallelism '0'");
        assertBad("name: x\ntasks: [{key: a, job: com.example.A, retries: -1}]\n", 2, "task 'a': retries is -1; it must be at least 0");
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: com.example.A
                    for_each:
                      - items: [1]
                        as: n
                        concurrency: 0
                """, 8, "concurrency is 0; it must be at least 1");
    }

    @Test
    void yamlSyntaxErrorsNameTheLine() throws IOException {
        assertBad("""
                name: x
                tasks:
                  - key: a
                    job: [com.example.A
                """, 5, "not valid YAML: expected ',' or ']'", "(while parsing a flow sequence from line 4)");
        assertBad("name: x\ntasks:\n  - key: a\n   job: b\n", 4, "not valid YAML");
    }

    // ---- jobs ----

    /** A job for {@link Workflow#loadJobs} to find on the test classpath. */
    public static final class Echo implements SparkJob {
        @Override
        public String run(JobContext ctx) {
            return "ok";
        }
    }

    @Test
    void loadJobsFindsClassesAndSqlFilesAndNamesTheTaskLineOfAProblem() throws IOException {
        Files.createDirectories(dir.resolve("sql"));
        Files.writeString(dir.resolve("sql/count.sql"), "SELECT count(*) AS n FROM range(:n)");
        Workflow wf = read("""
                name: jobs
                tasks:
                  - key: echo
                    job: dev.fanout.workflow.WorkflowReadTest$Echo
                  - key: count
                    sql: sql/count.sql
                    params: {n: "3"}
                """);
        Map<String, SparkJob> jobs = wf.loadJobs(getClass().getClassLoader());
        assertThat(jobs.keySet()).containsExactly("echo", "count");
        assertThat(jobs.get("echo")).isInstanceOf(Echo.class);
        assertThat(jobs.get("count").name()).isEqualTo("count.sql");

        Workflow missing = read("""
                name: jobs
                tasks:
                  - key: echo
                    job: dev.fanout.workflow.WorkflowReadTest$Echo
                  - key: gone
                    sql: sql/gone.sql
                """);
        assertThatThrownBy(() -> missing.loadJobs(getClass().getClassLoader()))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(dir.resolve("wf.yml") + ":5: task 'gone': ")
                .hasMessageContaining("gone.sql");

        Workflow notAJob = read("name: jobs\ntasks:\n  - {key: s, job: java.lang.String}\n");
        assertThatThrownBy(() -> notAJob.loadJobs(getClass().getClassLoader()))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(dir.resolve("wf.yml") + ":3: task 's': ")
                .hasMessageContaining("java.lang.String");
    }
}
