package dev.fanout.cli;

import dev.fanout.testing.SharedSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Runs the command line in-process on the shared test session; captures stdout, stderr and the exit code. */
final class CliHarness {
    record Result(int exit, String out, String err) {}

    static final SparkProvider SHARED = new SparkProvider() {
        @Override
        public SparkSession start(String appName, String master, int slots, Map<String, String> conf) {
            return SharedSpark.session();
        }

        @Override
        public void stop(SparkSession spark) {
            // shared across the suite
        }
    };

    /** Where commands record when a test gives no --history: a file of this test JVM's own. */
    static final java.nio.file.Path DEFAULT_HISTORY;

    static {
        try {
            DEFAULT_HISTORY = java.nio.file.Files.createTempDirectory("fanout-cli-tests").resolve("history.db");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = FanoutCommand.commandLine(new Environment(o, e, SHARED, false, DEFAULT_HISTORY)).execute(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private CliHarness() {}
}
