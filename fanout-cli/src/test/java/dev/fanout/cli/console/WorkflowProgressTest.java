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

/** A workflow's iterations that fail or time out get their line with the task's key, and are counted apart. */
class WorkflowProgressTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static RunResult iteration(String batchId, int index, Outcome outcome, ErrorInfo error) {
        List<Attempt> attempts = List.of(new Attempt(1, "g", 0, T0, T0.plusSeconds(3), outcome, error, SparkMetrics.ZERO));
        return new RunResult(index, batchId + "-" + index, Map.of("day", "2024-01-0" + (index + 1)), outcome, null, attempts,
                T0, T0.plusSeconds(3), error);
    }

    @Test
    void anIterationThatFailsIsPrintedWithItsTask() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (WorkflowProgress p = new WorkflowProgress(err, false, "nightly", 2, Duration.ofHours(1), Redaction.defaults())) {
            p.onTaskStart("RUN1", "days", 3, 0, T0);
            for (int i = 0; i < 2; i++) {
                p.onRunStart(new dev.fanout.FanoutListener.RunStart("RUN1.days", i, "RUN1.days-" + i, 1, i, "p", Map.of(), T0));
            }
            p.onRunEnd(iteration("RUN1.days", 0, Outcome.FAILED, new ErrorInfo("java.io.IOException", "disk full", "t")));
            p.onRunEnd(iteration("RUN1.days", 1, Outcome.TIMED_OUT,
                    new ErrorInfo("java.util.concurrent.TimeoutException", "run exceeded 2s", "")));
            p.onRunEnd(iteration("OTHER.days", 2, Outcome.FAILED, new ErrorInfo("x.Y", "not this run's", "")));
            assertThat(p.line()).startsWith("workflow nightly: 0/2 tasks done; days 2/3 (1 failed, 1 timed out)");
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains(
                "fanout: task days #0 day=2024-01-01 failed (1 attempt, 3.0s): IOException: disk full\n",
                "fanout: task days #1 day=2024-01-02 timed out (1 attempt, 3.0s): TimeoutException: run exceeded 2s\n")
                .doesNotContain("not this run's");
    }
}
