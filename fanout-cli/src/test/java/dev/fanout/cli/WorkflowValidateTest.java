package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.cli.testjobs.EchoJob;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fanout workflow validate}: exit 0 and a summary for a valid file; exit 2 naming the file and line when not. */
class WorkflowValidateTest {
    private static final String ECHO = EchoJob.class.getName();

    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    /** Exit 2, stderr names the file and line first, then each of {@code problem}; nothing on stdout. */
    private void assertRejected(Path file, int line, String... problem) {
        CliHarness.Result r = CliHarness.run("workflow", "validate", file.toString());
        assertThat(r.exit()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.err()).contains("fanout workflow validate: " + file + ":" + line + ": ").contains(problem)
                .doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void theShippedAirlineWorkflowIsValid() throws URISyntaxException {
        // the file as shipped in the examples' sources (under `mvn verify` the examples are a jar, not a directory)
        Path airline = Launched.ROOT.resolve("fanout-examples/src/main/resources/workflows/airline.yml");
        CliHarness.Result r = CliHarness.run("workflow", "validate", airline.toString(), "-p", "batch=batches/batch-0002.csv");
        assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains("workflow 'airline-nightly' is valid: 3 tasks, 1 with loops (daily_metrics: each day of"
                        + " {{tasks.apply_batch.value}}, at most 8 at once)")
                .contains("params: batch=batches/batch-0002.csv, warehouse=fanout-demo")
                .contains("parallelism: 4")
                .contains("order: apply_batch -> daily_metrics -> summary.");
    }

    @Test
    void aValidFileWithASqlTaskAndNoSparkStarted() throws IOException {
        Files.createDirectories(dir.resolve("sql"));
        file("sql/count.sql", "SELECT count(*) AS n FROM range(:n)");
        Path wf = file("wf.yml", """
                name: small
                params: {n: "3"}
                tasks:
                  - key: count
                    sql: sql/count.sql
                    params: {n: "{{params.n}}"}
                  - key: echo
                    depends_on: [count]
                    for_each:
                      - {items: {range: "1..3"}, as: i}
                    job: %s
                    params: {i: "{{i}}", rows: "{{tasks.count.value}}"}
                """.formatted(ECHO));
        int before = EchoJob.RUNS.get();
        CliHarness.Result r = CliHarness.run("workflow", "validate", wf.toString());
        assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains("workflow 'small' is valid: 2 tasks, 1 with loops (echo: each i of range 1..3)")
                .contains("parallelism: not set").contains("order: count -> echo.");
        assertThat(EchoJob.RUNS.get()).as("nothing ran").isEqualTo(before);
    }

    @Test
    void badFilesExitTwoWithTheFileAndLine() throws IOException {
        assertRejected(file("typo.yml", """
                name: x
                tasks:
                  - key: a
                    job: %s
                    run_iff: all_done
                """.formatted(ECHO)), 5, "unknown key 'run_iff' in task 'a'; did you mean 'run_if'?");
        assertRejected(file("cycle.yml", """
                name: x
                tasks:
                  - {key: a, depends_on: [b], job: %s}
                  - {key: b, depends_on: [a], job: %s}
                """.formatted(ECHO, ECHO)), 4, "cycle: a -> b -> a");
        assertRejected(file("notupstream.yml", """
                name: x
                tasks:
                  - {key: a, job: %s}
                  - key: b
                    job: %s
                    params: {v: "{{tasks.a.value}}"}
                """.formatted(ECHO, ECHO)), 6, "which task 'b' does not depend on");
        assertRejected(file("noclass.yml", """
                name: x
                tasks:
                  - key: a
                    job: com.example.Missing
                """), 3, "task 'a': ", "com.example.Missing");
        assertRejected(file("nosql.yml", """
                name: x
                tasks:
                  - key: a
                    sql: missing.sql
                """), 3, "task 'a': ", "missing.sql");
    }

    @Test
    void unknownParamsAndJarsAreRefused() throws IOException {
        Path wf = file("wf.yml", "name: x\nparams: {day: \"2026-01-01\"}\ntasks: [{key: a, job: " + ECHO + "}]\n");
        CliHarness.Result r = CliHarness.run("workflow", "validate", wf.toString(), "-p", "dya=2026-01-02");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("param 'dya' is not a param of workflow 'x' (" + wf.toAbsolutePath() + ":1)")
                .contains("did you mean 'day'?");

        r = CliHarness.run("workflow", "validate", wf.toString(), "--jars", dir.resolve("none.jar").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--jars '" + dir.resolve("none.jar") + "' does not exist");

        r = CliHarness.run("workflow", "validate", dir.resolve("gone.yml").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("workflow file '" + dir.resolve("gone.yml") + "' does not exist");
    }
}
