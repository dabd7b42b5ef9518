package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.cli.testjobs.StepJob;
import dev.fanout.history.HistoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fanout workflow run}, {@code history} and {@code resume} of a workflow run, in-process on the shared session:
 * exit codes, the lines and table printed, the history's one line and task list, and a resume that runs exactly the
 * failed iteration and what depends on it (runs counted inside the job).
 */
class WorkflowRunCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RUN = Pattern.compile("history: workflow run (\\S+) in ");
    private static final String STEP = StepJob.class.getName();

    @TempDir
    Path dir;

    private String history;

    @BeforeEach
    void setUp() {
        history = dir.resolve("h.db").toString();
    }

    private Path file(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml.replace("STEP", STEP), StandardCharsets.UTF_8);
    }

    private static String runId(CliHarness.Result r) {
        Matcher m = RUN.matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        return m.group(1);
    }

    /** The runs of each id since {@code before}. */
    private static Map<String, Integer> since(Map<String, Integer> before) {
        Map<String, Integer> d = new HashMap<>();
        StepJob.RUNS.forEach((k, v) -> {
            int n = v - before.getOrDefault(k, 0);
            if (n != 0) {
                d.put(k, n);
            }
        });
        return d;
    }

    @Test
    void aSmallDagRunsPrintsEachTaskAndItsTableAndExitsZero() throws Exception {
        Path wf = file("dag.yml", """
                name: small-dag
                params: {greeting: hello}
                parallelism: 2
                tasks:
                  - key: start
                    job: STEP
                    params: {id: dag-start, value: '{"n": 7, "days": ["a", "b", "c"]}'}
                  - key: loop
                    depends_on: [start]
                    for_each: [{items: "{{tasks.start.value.days}}", as: d}]
                    job: STEP
                    params: {id: "dag-loop-{{d}}", value: "{{d}}{{tasks.start.value.n}}"}
                  - key: side
                    depends_on: [start]
                    job: STEP
                    params: {id: dag-side, value: "{{params.greeting}}"}
                  - key: end
                    depends_on: [loop, side]
                    job: STEP
                    params: {id: dag-end, value: "{{tasks.side.value}} {{tasks.loop.value}}"}
                """);
        Map<String, Integer> before = new HashMap<>(StepJob.RUNS);
        CliHarness.Result r = CliHarness.run("workflow", "run", wf.toString(), "-p", "greeting=hi", "--json", "--history", history);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(since(before)).containsOnlyKeys("dag-start", "dag-loop-a", "dag-loop-b", "dag-loop-c", "dag-side", "dag-end")
                .allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1));
        String id = runId(r);
        assertThat(r.err()).contains("fanout: workflow small-dag: run " + id)
                .contains("fanout: task loop started: 3 iterations")
                .containsPattern("fanout: task loop SUCCEEDED in \\S+: iterations 3/3")
                .contains("fanout: workflow small-dag, run " + id + ", 4 tasks in ")
                .containsPattern("\\n  end\\s+SUCCEEDED\\s+1/1\\s+1\\s+\\S+\\s+-> hi \\[\"a7\",\"b7\",\"c7\"]")
                .containsPattern("\\n  loop\\s+SUCCEEDED\\s+3/3\\s+3\\s+")
                .doesNotContain("fanout resume " + id);
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.get("runId").asText()).isEqualTo(id);
        assertThat(doc.get("params").get("greeting").asText()).isEqualTo("hi");
        assertThat(doc.get("exitCode").asInt()).isZero();
        List<String> keys = new ArrayList<>();
        doc.get("tasks").forEach(t -> keys.add(t.get("key").asText()));
        assertThat(keys).containsExactly("start", "loop", "side", "end");
        JsonNode loop = doc.get("tasks").get(1);
        assertThat(loop.get("value").asText()).isEqualTo("[\"a7\",\"b7\",\"c7\"]");
        assertThat(loop.get("batchId").asText()).isEqualTo(id + ".loop");
        assertThat(loop.get("iterations")).hasSize(3);
        assertThat(loop.get("iterations").get(2).get("params").get("id").asText()).isEqualTo("dag-loop-c");
        assertThat(loop.get("iterations").get(2).get("exitValue").asText()).isEqualTo("c7");
        assertThat(loop.get("iterations").get(2).get("attemptDetails")).hasSize(1);

        CliHarness.Result list = CliHarness.run("history", "--history", history);
        assertThat(list.out()).containsPattern(Pattern.quote(id) + "\\s+workflow small-dag\\s+SUCCEEDED\\s+4/4 tasks\\s+-\\s");
        assertThat(list.out().lines().filter(l -> l.contains(id))).as("one line for the run, none for its tasks").hasSize(1);
    }

    @Test
    void aFailingIterationSkipsWhatNeedsSuccessRunsTheAlertAndResumeRerunsExactlyItAndItsDependents() throws Exception {
        Path wf = file("resume.yml", """
                name: resume-me
                params: {fail: d3, suffix: one}
                parallelism: 3
                tasks:
                  - key: first
                    job: STEP
                    params: {id: r-first, value: '["d1", "d2", "d3", "d4"]'}
                  - key: days
                    depends_on: [first]
                    for_each: [{items: "{{tasks.first.value}}", as: day, concurrency: 2}]
                    job: STEP
                    params: {id: "r-{{day}}", day: "{{day}}", fail: "{{params.fail}}", value: "{{day}}-{{params.suffix}}"}
                  - key: summary
                    depends_on: [days]
                    job: STEP
                    params: {id: r-summary, value: "{{tasks.days.value}}"}
                  - key: alert
                    depends_on: [days]
                    run_if: at_least_one_failed
                    job: STEP
                    params: {id: r-alert}
                """);
        Map<String, Integer> before = new HashMap<>(StepJob.RUNS);
        CliHarness.Result first = CliHarness.run("workflow", "run", wf.toString(), "--history", history);
        assertThat(first.exit()).as(first.err()).isEqualTo(1);
        assertThat(since(before)).containsOnlyKeys("r-first", "r-d1", "r-d2", "r-d3", "r-d4", "r-alert");
        String id = runId(first);
        assertThat(first.err())
                .containsPattern("fanout: task days FAILED in \\S+: iterations 3/4 \\(1 failed\\); IllegalStateException: iteration 2"
                        + " \\(day=d3\\) FAILED .*day d3 was told to fail")
                .contains("fanout: task summary SKIPPED: run_if all_success does not hold: days FAILED")
                .containsPattern("\\n  days\\s+FAILED\\s+3/4 \\(1 failed\\)\\s+4\\s+")
                .containsPattern("\\n  summary\\s+SKIPPED\\s+-\\s+-\\s+-\\s+run_if all_success does not hold")
                .containsPattern("\\n  alert\\s+SUCCEEDED\\s+1/1")
                .contains("run what did not succeed again with: fanout resume " + id);

        CliHarness.Result list = CliHarness.run("history", "--history", history);
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern(Pattern.quote(id) + "\\s+workflow resume-me\\s+FAILED\\s+2/4 tasks\\s+1 failed, 1 skipped");

        CliHarness.Result detail = CliHarness.run("history", id, "--history", history);
        assertThat(detail.exit()).as(detail.err()).isZero();
        String text = detail.out();
        assertThat(text).contains("workflow run " + id + ": workflow resume-me, FAILED, 4 tasks: 2 succeeded, 1 failed, 1 skipped")
                .contains("file: " + wf.toAbsolutePath())
                .contains("params: fail=d3 suffix=one");
        // tasks in the file's order, the failed iteration under its task
        assertThat(text.indexOf("  first ")).isLessThan(text.indexOf("  days ")).isLessThan(text.indexOf("  summary "))
                .isLessThan(text.indexOf("  alert "));
        assertThat(text).containsPattern("  days\\s+FAILED\\s+3/4 \\(1 failed\\)\\s+4\\s+\\S+\\s+IllegalStateException:"
                        + " iteration 2 \\(day=d3\\) FAILED \\(1 of 4 did not succeed\\): day d3 was told to fail")
                .contains("batch " + id + ".days: 3 iterations succeeded; did not:")
                .containsPattern("#2 FAILED, 1 try in \\S+\\s+id=r-d3 day=d3 fail=d3 value=d3-one\\s+IllegalStateException: day d3 was told to fail");

        JsonNode doc = JSON.readTree(CliHarness.run("history", id, "--json", "--history", history).out());
        assertThat(doc.get("state").asText()).isEqualTo("FAILED");
        assertThat(doc.get("tasks")).hasSize(4);
        JsonNode days = doc.get("tasks").get(1);
        assertThat(days.get("key").asText()).isEqualTo("days");
        assertThat(days.get("outcome").asText()).isEqualTo("FAILED");
        assertThat(days.get("iterationCounts").get("FAILED").asInt()).isEqualTo(1);
        assertThat(days.get("iterations")).hasSize(4);
        assertThat(days.get("iterations").get(2).get("error").get("message").asText()).startsWith("day d3 was told to fail");
        assertThat(doc.get("tasks").get(2).get("outcome").asText()).isEqualTo("SKIPPED");
        assertThat(doc.get("tasks").get(2).get("iterations")).isEmpty();

        // the task's batch reads like any batch, and says whose task it is
        CliHarness.Result task = CliHarness.run("history", id + ".days", "--history", history);
        assertThat(task.exit()).as(task.err()).isZero();
        assertThat(task.out()).contains("batch " + id + ".days: ").contains("task days of workflow run " + id)
                .containsPattern("\\n\\s+2\\s+FAILED\\s+1\\s");

        // a task's batch is resumed through its workflow run
        CliHarness.Result viaTask = CliHarness.run("resume", id + ".days", "--history", history);
        assertThat(viaTask.exit()).isEqualTo(2);
        assertThat(viaTask.err()).contains("resume the workflow run: fanout resume " + id);

        before = new HashMap<>(StepJob.RUNS);
        CliHarness.Result resumed = CliHarness.run("resume", id, "-p", "fail=none", "--json", "--history", history);
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(since(before)).as("only the failed iteration and what depends on it ran again")
                .containsOnlyKeys("r-d3", "r-summary").containsEntry("r-d3", 1).containsEntry("r-summary", 1);
        assertThat(resumed.err()).contains("fanout: resuming workflow run " + id + " (resume-me, " + wf.toAbsolutePath()
                        + "): 2 of 4 tasks did not succeed (1 failed, 1 skipped); execution 2")
                .contains("fanout: task first kept")
                .contains("fanout: task days started: 4 iterations (3 kept from earlier executions, 1 to run)");
        JsonNode again = JSON.readTree(resumed.out());
        assertThat(again.get("runId").asText()).isEqualTo(id);
        assertThat(again.get("params").get("fail").asText()).isEqualTo("none");
        assertThat(again.get("tasks").get(0).get("kept").asBoolean()).isTrue();
        assertThat(again.get("tasks").get(1).get("value").asText()).isEqualTo("[\"d1-one\",\"d2-one\",\"d3-one\",\"d4-one\"]");
        assertThat(again.get("tasks").get(2).get("value").asText()).isEqualTo(again.get("tasks").get(1).get("value").asText());
        assertThat(again.get("tasks").get(3).get("outcome").asText()).as("nothing failed this time").isEqualTo("SKIPPED");

        JsonNode after = JSON.readTree(CliHarness.run("history", id, "--json", "--history", history).out());
        assertThat(after.get("executions")).hasSize(2);
        assertThat(after.get("tasks").get(1).get("iterationCounts").get("SUCCEEDED").asInt()).isEqualTo(4);
        assertThat(after.get("tasks").get(2).get("outcome").asText()).isEqualTo("SUCCEEDED");

        // the file is gone: a clear usage error, nothing runs
        Files.delete(wf);
        CliHarness.Result gone = CliHarness.run("resume", id, "--history", history);
        assertThat(gone.exit()).isEqualTo(2);
        assertThat(gone.err()).contains("workflow run " + id + " ran the workflow file " + wf.toAbsolutePath() + ", which is gone");
    }

    /** Exit 2, the file and line and the problem on stderr, no run of any job, nothing recorded in the history. */
    private void assertRefused(Path file, int line, String problem, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("workflow", "run", file.toString(), "--history", history));
        args.addAll(List.of(extra));
        Map<String, Integer> before = new HashMap<>(StepJob.RUNS);
        CliHarness.Result r = CliHarness.run(args.toArray(String[]::new));
        assertThat(r.exit()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        String where = line > 0 ? file + ":" + line + ": " : "";
        assertThat(r.err()).startsWith("fanout workflow run: " + where).contains(problem).doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
        assertThat(since(before)).as("nothing ran").isEmpty();
        if (Files.exists(Path.of(history))) {
            try (HistoryStore store = HistoryStore.sqlite(Path.of(history))) {
                assertThat(store.batches(10)).as("nothing recorded").isEmpty();
            }
        }
    }

    @Test
    void badFilesAndOptionsExitTwoNamingTheProblemAndNothingStarts() throws IOException {
        String ok = "name: x\nparams: {day: \"1\"}\ntasks:\n  - {key: a, job: STEP, params: {id: bad-a}}\n";
        assertRefused(file("typo.yml", """
                name: x
                tasks:
                  - key: a
                    job: STEP
                    run_iff: all_done
                """), 5, "unknown key 'run_iff' in task 'a'; did you mean 'run_if'?");
        assertRefused(file("dup.yml", """
                name: x
                tasks:
                  - {key: a, job: STEP}
                  - {key: a, job: STEP}
                """), 4, "duplicate");
        assertRefused(file("dep.yml", """
                name: x
                tasks:
                  - {key: a, job: STEP}
                  - {key: b, depends_on: [c], job: STEP}
                """), 4, "'c'");
        assertRefused(file("cycle.yml", """
                name: x
                tasks:
                  - {key: a, depends_on: [b], job: STEP}
                  - {key: b, depends_on: [a], job: STEP}
                """), 4, "cycle: a -> b -> a");
        assertRefused(file("param.yml", """
                name: x
                tasks:
                  - key: a
                    job: STEP
                    params: {v: "{{params.nope}}"}
                """), 5, "nope");
        assertRefused(file("notupstream.yml", """
                name: x
                tasks:
                  - {key: a, job: STEP}
                  - key: b
                    job: STEP
                    params: {v: "{{tasks.a.value}}"}
                """), 6, "which task 'b' does not depend on");
        assertRefused(file("notajob.yml", """
                name: x
                tasks:
                  - key: a
                    job: dev.fanout.cli.testjobs.NotAJob
                """), 3, "NotAJob");
        assertRefused(file("nosql.yml", """
                name: x
                tasks:
                  - key: a
                    sql: missing.sql
                """), 3, "missing.sql");
        assertRefused(file("duration.yml", """
                name: x
                tasks:
                  - key: a
                    job: STEP
                    timeout: ten minutes
                """), 5, "ten minutes");
        assertRefused(file("runif.yml", """
                name: x
                tasks:
                  - {key: a, job: STEP}
                  - {key: b, depends_on: [a], job: STEP, run_if: sometimes}
                """), 4, "sometimes");
        assertRefused(file("noitems.yml", """
                name: x
                tasks:
                  - key: a
                    for_each: [{as: d}]
                    job: STEP
                """), 4, "items");
        // options: an undeclared -p, a bad --parallelism, --jars that do not exist, a file that does not exist
        Path good = file("ok.yml", ok);
        assertRefused(good, 0, "param 'dya' is not a param of workflow 'x' (" + good.toAbsolutePath() + ":1)", "-p", "dya=2");
        assertRefused(good, 0, "--parallelism must be at least 1, got 0", "--parallelism", "0");
        assertRefused(good, 0, "--jars '" + dir.resolve("none.jar") + "' does not exist", "--jars", dir.resolve("none.jar").toString());
        assertRefused(good, 0, "--retries must be 0 or more, got -1", "--retries", "-1");
        assertRefused(dir.resolve("gone.yml"), 0, "workflow file '" + dir.resolve("gone.yml") + "' does not exist");
    }
}
