package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.cli.testjobs.EchoJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
    private static final String ECHO = EchoJob.class.getName();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void jsonOutputIsOneDocumentInTheDocumentedShapeWithRunsInInputOrder() throws IOException {
        Path items = Files.writeString(dir.resolve("items.jsonl"), """
                {"day": "2024-01-01", "fail": false}
                {"day": "2024-01-02", "fail": true}
                {"day": "2024-01-03", "n": 7}
                """, StandardCharsets.UTF_8);
        CliHarness.Result r = CliHarness.run("foreach", ECHO, "--items", items.toString(), "-p", "env=test",
                "--parallelism", "2", "--json");

        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        JsonNode doc = JSON.readTree(r.out()); // the whole of stdout parses as one document
        assertThat(iterable(doc.fieldNames())).contains("batchId", "job", "parallelism", "counts", "startedAt", "endedAt", "runs");
        assertThat(doc.get("job").asText()).isEqualTo("EchoJob");
        assertThat(doc.get("parallelism").asInt()).isEqualTo(2);
        assertThat(iterable(doc.get("counts").fieldNames())).containsExactly("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED", "SKIPPED");
        assertThat(doc.get("counts").get("SUCCEEDED").asInt()).isEqualTo(2);
        assertThat(doc.get("counts").get("FAILED").asInt()).isEqualTo(1);
        Instant.parse(doc.get("startedAt").asText());
        Instant.parse(doc.get("endedAt").asText());

        JsonNode runs = doc.get("runs");
        assertThat(runs).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode run = runs.get(i);
            assertThat(run.get("index").asInt()).isEqualTo(i);
            assertThat(iterable(run.fieldNames())).contains("index", "params", "outcome", "exitValue", "attempts", "startedAt", "endedAt", "error");
            assertThat(run.get("params").get("env").asText()).isEqualTo("test");
            assertThat(run.get("attempts").asInt()).isEqualTo(1);
            Instant.parse(run.get("startedAt").asText());
        }
        assertThat(runs.get(0).get("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(runs.get(0).get("exitValue").asText()).isEqualTo("3 {day=2024-01-01, env=test, fail=false}");
        assertThat(runs.get(0).get("error").isNull()).isTrue();
        assertThat(runs.get(1).get("outcome").asText()).isEqualTo("FAILED");
        assertThat(runs.get(1).get("exitValue").isNull()).isTrue();
        assertThat(runs.get(1).get("error").get("type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(runs.get(1).get("error").get("message").asText()).startsWith("asked to fail");
        assertThat(runs.get(2).get("params").get("n").asText()).isEqualTo("7");

        // the human summary went to stderr: counts, and the failure with its first error line
        assertThat(r.err()).contains("2 succeeded, 1 failed").contains("#1 day=2024-01-02 fail=true env=test  FAILED after 1 attempt(s): IllegalStateException: asked to fail")
                .doesNotContain("second line");
    }

    @Test
    void parallelismAutoInLocalModeIsTheLocalCoresAndSaysWhy() {
        int cores = dev.fanout.testing.SharedSpark.session().sparkContext().defaultParallelism();
        CliHarness.Result r = CliHarness.run("foreach", ECHO, "--range", "n=1..6", "--parallelism", "auto", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("fanout: parallelism auto: local mode (local[4]): " + cores + " cores / 1 core per run = "
                + cores + " parallel runs").contains("6 run(s) at parallelism auto (" + cores + " at the end)");
        CliHarness.Result two = CliHarness.run("foreach", ECHO, "--range", "n=1..2", "--parallelism", "auto", "--cores-per-run", "2");
        assertThat(two.err()).contains("/ 2 cores per run = " + cores / 2 + " parallel runs");
    }

    @Test
    void runPrintsTheExitValueAndCsvItemsWithQuotesWork() throws IOException {
        CliHarness.Result one = CliHarness.run("run", ECHO, "-p", "day=2024-01-01");
        assertThat(one.exit()).as(one.err()).isZero();
        assertThat(one.out().trim()).isEqualTo("3 {day=2024-01-01}");

        Path csv = Files.writeString(dir.resolve("items.csv"), "day,note\r\n2024-01-01,\"a, \"\"quoted\"\"\nnote\"\r\n\r\n2024-01-02,plain\r\n");
        CliHarness.Result many = CliHarness.run("foreach", ECHO, "--items", csv.toString(), "--json");
        assertThat(many.exit()).as(many.err()).isZero();
        JsonNode runs = JSON.readTree(many.out()).get("runs");
        assertThat(runs.get(0).get("params").get("note").asText()).isEqualTo("a, \"quoted\"\nnote");
        assertThat(runs.get(1).get("params").get("day").asText()).isEqualTo("2024-01-02");
    }

    @Test
    void aRangeOfDatesWithAStepAndATimeoutThatEndsARun() throws IOException {
        CliHarness.Result r = CliHarness.run("foreach", ECHO, "--range", "day=2024-01-01..2024-01-10:3", "--json");
        assertThat(r.exit()).isZero();
        List<String> days = StreamSupport.stream(JSON.readTree(r.out()).get("runs").spliterator(), false)
                .map(n -> n.get("params").get("day").asText()).toList();
        assertThat(days).containsExactly("2024-01-01", "2024-01-04", "2024-01-07", "2024-01-10");

        CliHarness.Result slow = CliHarness.run("foreach", "dev.fanout.cli.testjobs.SleepInTaskJob", "--range", "n=1..2",
                "--timeout", "2s", "--json");
        assertThat(slow.exit()).isEqualTo(1);
        JsonNode doc = JSON.readTree(slow.out());
        assertThat(doc.get("counts").get("TIMED_OUT").asInt()).isEqualTo(2);
        assertThat(doc.get("runs").get(0).get("error").get("message").asText()).contains("timed out after 2.0s");
    }

    @Test
    void aJobFromAJarGivenWithJars() throws IOException {
        Path src = Files.createDirectories(dir.resolve("src/com/example"));
        Files.writeString(src.resolve("Hello.java"), """
                package com.example;
                public class Hello implements dev.fanout.SparkJob {
                    public String run(dev.fanout.JobContext ctx) {
                        return "hello " + ctx.get("who") + " " + ctx.spark().range(5).count();
                    }
                }
                """);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), src.resolve("Hello.java").toString());
        assertThat(compiled).isZero();
        Path jar = dir.resolve("hello.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("com/example/Hello.class"));
            out.write(Files.readAllBytes(classes.resolve("com/example/Hello.class")));
            out.closeEntry();
        }
        CliHarness.Result r = CliHarness.run("run", "com.example.Hello", "--jars", jar.toString(), "-p", "who=world");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().trim()).isEqualTo("hello world 5");
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> list = new java.util.ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }
}
