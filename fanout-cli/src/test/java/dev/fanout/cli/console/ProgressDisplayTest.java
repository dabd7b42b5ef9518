package dev.fanout.cli.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Attempt;
import dev.fanout.ErrorInfo;
import dev.fanout.Outcome;
import dev.fanout.Redaction;
import dev.fanout.RunResult;
import dev.fanout.SparkMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The live progress fed with run results directly: counts as the summary counts, a line per failure, secrets masked. */
class ProgressDisplayTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static RunResult run(int index, Outcome outcome, ErrorInfo error, Map<String, String> params) {
        List<Attempt> attempts = List.of(new Attempt(1, "g" + index, 0, T0, T0.plusMillis(2500), outcome, error, SparkMetrics.ZERO));
        return new RunResult(index, "b-" + index, params, outcome, null, attempts, T0, T0.plusMillis(2500), error);
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void timedOutRunsAreCountedAsTimedOutAndEachFailureGetsALineAboveTheBar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (ProgressDisplay d = new ProgressDisplay(err, true, "DailyMetrics", 3, Duration.ofHours(1), Redaction.defaults())) {
            d.onRunEnd(run(0, Outcome.TIMED_OUT, new ErrorInfo("java.util.concurrent.TimeoutException", "run exceeded 2s", ""),
                    Map.of("day", "2024-01-01")));
            d.onRunEnd(run(1, Outcome.FAILED, new ErrorInfo("java.lang.IllegalStateException",
                    "bad token tok-SECRET-1\nsecond line", "trace"), ordered("day", "2024-01-02", "api_token", "tok-SECRET-1")));
            d.onRunEnd(run(2, Outcome.SUCCEEDED, null, Map.of("day", "2024-01-03")));
            assertThat(d.line()).startsWith("DailyMetrics 3/3 done, 1 failed, 1 timed out, ");
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("fanout: #0 day=2024-01-01 timed out (1 attempt, 2.5s): TimeoutException: run exceeded 2s\n",
                "fanout: #1 day=2024-01-02 api_token=*** failed (1 attempt, 2.5s): IllegalStateException: bad token ***\n");
        assertThat(text).doesNotContain("tok-SECRET-1", "second line", "#2 ");
    }

    @Test
    void aFailureLineClearsTheBarFirstOnATerminal() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (ProgressDisplay d = new ProgressDisplay(err, true, "Job", 2, Duration.ofHours(1), Redaction.none())) {
            long until = System.nanoTime() + 5_000_000_000L;
            while (!bytes.toString(StandardCharsets.UTF_8).contains("[") && System.nanoTime() < until) {
                Thread.sleep(50); // the bar is drawn every 250 ms
            }
            d.onRunEnd(run(0, Outcome.FAILED, new ErrorInfo("x.Boom", "boom", ""), Map.of("n", "1")));
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        int line = text.indexOf("fanout: #0 n=1 failed");
        assertThat(text.substring(0, line)).contains("Job 0/2 done").endsWith("\r\033[K");
    }
}
