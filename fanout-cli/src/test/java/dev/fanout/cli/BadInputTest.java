package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.cli.testjobs.EchoJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input: exit code 2, one message naming the file, line, field or option and value, and no run started. */
class BadInputTest {
    private static final String ECHO = EchoJob.class.getName();

    @TempDir
    Path dir;

    @BeforeEach
    void resetRuns() {
        EchoJob.RUNS.set(0);
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private void assertRejected(String expectedMessagePart, String... args) {
        CliHarness.Result r = CliHarness.run(args);
        assertThat(r.exit()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.err()).contains(expectedMessagePart).doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
        assertThat(EchoJob.RUNS.get()).as("runs started").isZero();
    }

    @Test
    void unknownJobClass() {
        assertRejected("unknown job class 'com.example.Missing': not found on the classpath",
                "foreach", "com.example.Missing", "--range", "n=1..3");
    }

    @Test
    void classThatIsNotASparkJob() {
        assertRejected("job class 'dev.fanout.cli.testjobs.NotAJob' does not implement dev.fanout.SparkJob",
                "run", "dev.fanout.cli.testjobs.NotAJob");
    }

    @Test
    void missingItemsFile() {
        Path missing = dir.resolve("nope.csv");
        assertRejected("items file '" + missing + "' does not exist", "foreach", ECHO, "--items", missing.toString());
    }

    @Test
    void csvRowWithTheWrongNumberOfFields() throws IOException {
        Path f = file("days.csv", "day,region\n2024-01-01,eu\n2024-01-02,us,extra\n");
        assertRejected(f + " line 3: 3 field(s) but the header has 2 (day,region)", "foreach", ECHO, "--items", f.toString());
    }

    @Test
    void csvWithDuplicateOrEmptyHeaders() throws IOException {
        Path dup = file("dup.csv", "day,day\n1,2\n");
        assertRejected(dup + " line 1: header column 'day' appears twice", "foreach", ECHO, "--items", dup.toString());
        Path empty = file("empty.csv", "day,,region\n1,2,3\n");
        assertRejected(empty + " line 1: header column 2 is empty", "foreach", ECHO, "--items", empty.toString());
    }

    @Test
    void csvQuotingIsUnderstoodAndAnOpenQuoteIsReported() throws IOException {
        Path open = file("open.csv", "name,note\na,\"never closed\nb,c\n");
        assertRejected(open + " line 2: a quoted field is never closed", "foreach", ECHO, "--items", open.toString());
    }

    @Test
    void malformedJsonLine() throws IOException {
        Path f = file("items.jsonl", "{\"day\": \"2024-01-01\"}\n\n{\"day\": \"2024-01-02\",}\n");
        assertRejected(f + " line 3: malformed JSON", "foreach", ECHO, "--items", f.toString());
    }

    @Test
    void jsonLineWithANestedValueOrNotAnObject() throws IOException {
        Path nested = file("nested.jsonl", "{\"day\": [1, 2]}\n");
        assertRejected(nested + " line 1: field 'day' is an array", "foreach", ECHO, "--items", nested.toString());
        Path scalar = file("scalar.jsonl", "42\n");
        assertRejected(scalar + " line 1: expected a JSON object", "foreach", ECHO, "--items", scalar.toString());
    }

    @Test
    void jsonArrayProblemsNameTheElementAndLine() throws IOException {
        Path f = file("items.json", "[\n  {\"day\": \"2024-01-01\"},\n  \"oops\"\n]\n");
        assertRejected(f + " element 1 (line 3): expected a JSON object", "foreach", ECHO, "--items", f.toString());
        Path dup = file("dup.json", "[{\"day\": 1, \"day\": 2}]");
        assertRejected(dup + " line 1 column", "foreach", ECHO, "--items", dup.toString());
        Path notArray = file("obj.json", "{\"day\": 1}");
        assertRejected(notArray + ": expected a JSON array of objects", "foreach", ECHO, "--items", notArray.toString());
    }

    @Test
    void emptyItemsFileAndUnknownExtension() throws IOException {
        Path header = file("only-header.csv", "day\n");
        assertRejected("items file '" + header + "' has no items", "foreach", ECHO, "--items", header.toString());
        Path txt = file("days.txt", "day\n1\n");
        assertRejected("cannot tell the format of items file '" + txt + "'", "foreach", ECHO, "--items", txt.toString());
    }

    @Test
    void badRanges() {
        assertRejected("--range 'day=2024-01-10..2024-01-01': FROM 2024-01-10 is after TO 2024-01-01",
                "foreach", ECHO, "--range", "day=2024-01-10..2024-01-01");
        assertRejected("--range 'day=2024-01-01..7': FROM and TO must both be ISO dates",
                "foreach", ECHO, "--range", "day=2024-01-01..7");
        assertRejected("--range 'n=1..10:0': STEP must be 1 or more", "foreach", ECHO, "--range", "n=1..10:0");
        assertRejected("--range 'n=1-10': expected name=FROM..TO", "foreach", ECHO, "--range", "n=1-10");
    }

    @Test
    void badDurationParallelismRetriesAndUnknownOption() {
        assertRejected("Invalid value for option '--timeout': 'ten minutes' is not a duration",
                "foreach", ECHO, "--range", "n=1..3", "--timeout", "ten minutes");
        assertRejected("--parallelism must be at least 1, got 0", "foreach", ECHO, "--range", "n=1..3", "--parallelism", "0");
        assertRejected("--retries must be 0 or more, got -1", "foreach", ECHO, "--range", "n=1..3", "--retries", "-1");
        assertRejected("Unknown options: '--paralelism', '2'", "foreach", ECHO, "--range", "n=1..3", "--paralelism", "2");
        assertRejected("--parallelism must be a number or 'auto', got 'many'",
                "foreach", ECHO, "--range", "n=1..3", "--parallelism", "many");
    }

    @Test
    void badSizingOptionsNameTheOptionAndValue() {
        assertRejected("--parallelism must be a number or 'auto', got 'lots'", "foreach", ECHO, "--range", "n=1..3",
                "--parallelism", "lots");
        assertRejected("--cores-per-run applies to --parallelism auto only", "foreach", ECHO, "--range", "n=1..3",
                "--parallelism", "2", "--cores-per-run", "2");
        assertRejected("--cores-per-run and --executors-per-run exclude each other", "foreach", ECHO, "--range", "n=1..3",
                "--parallelism", "auto", "--cores-per-run", "2", "--executors-per-run", "1");
        assertRejected("--cores-per-run must be at least 1, got 0", "foreach", ECHO, "--range", "n=1..3",
                "--parallelism", "auto", "--cores-per-run", "0");
    }

    @Test
    void noCommandAtAll() {
        assertRejected("fanout: missing command: give one of run, foreach, rows, resume, history, report, workflow, demo, bench");
    }

    @Test
    void itemsAndRangeTogetherOrNeither() {
        assertRejected("mutually exclusive", "foreach", ECHO, "--range", "n=1..3", "--items", "x.csv");
        assertRejected("Missing required argument", "foreach", ECHO);
    }

    @Test
    void aConstantThatCollidesWithAnItemParameter() throws IOException {
        Path f = file("days.csv", "day\n2024-01-01\n");
        assertRejected("-p day=2024-02-02 collides with parameter 'day' of the items in '" + f + "'",
                "foreach", ECHO, "--items", f.toString(), "-p", "day=2024-02-02");
    }

    @Test
    void missingJarInJars() {
        assertRejected("--jars: '" + dir.resolve("job.jar") + "' does not exist",
                "foreach", ECHO, "--range", "n=1..3", "--jars", dir.resolve("job.jar").toString());
    }

    /** Issue 15, point 4: each message names the real problem, not a symptom of it. */
    @Test
    void aCsvGivenAsAJarIsNotAJarFile() throws IOException {
        Path csv = file("days.csv", "day\n2024-01-01\n");
        assertRejected("--jars: '" + csv + "' is not a jar file", "foreach", ECHO, "--range", "n=1..3", "--jars", csv.toString());
    }

    @Test
    void aDayThatDoesNotExistIsNamed() {
        assertRejected("--range 'day=2024-02-30..2024-03-02': 2024-02-30 is not a date (February has 28 or 29 days)",
                "foreach", ECHO, "--range", "day=2024-02-30..2024-03-02");
    }

    @Test
    void aParameterWithoutEqualsSaysSoOnce() {
        for (String command : new String[] {"run", "foreach"}) {
            String[] args = command.equals("run") ? new String[] {"run", ECHO, "-p", "notakeyvalue"}
                    : new String[] {"foreach", ECHO, "--range", "n=1..3", "-p", "notakeyvalue"};
            assertRejected("--param: expected KEY=VALUE, got 'notakeyvalue' (no '=')", args);
            assertThat(CliHarness.run(args).err()).doesNotContain("option option");
        }
    }

    @Test
    void aBadHistoryStateNamesTheOptionGiven() {
        CliHarness.Result r = CliHarness.run("history", "--state", "bogus", "--history", dir.resolve("h.db").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Invalid value for option '--state'").contains("'bogus'").doesNotContain("--outcome");
    }

    @Test
    void aMissingItemsFileIsMissingBeforeItsExtensionMatters() {
        Path txt = dir.resolve("items.txt");
        assertRejected("items file '" + txt + "' does not exist", "foreach", ECHO, "--items", txt.toString());
        assertThat(CliHarness.run("foreach", ECHO, "--items", txt.toString()).err()).doesNotContain("cannot tell the format");
        assertRejected("items file '" + txt + "' does not exist", "foreach", ECHO, "--items", txt.toString(), "--format", "xml");
    }
}
