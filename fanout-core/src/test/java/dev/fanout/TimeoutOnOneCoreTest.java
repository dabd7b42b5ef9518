package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.LogCapture;
import dev.fanout.testing.SharedSpark;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.ForeachFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Runs in its own JVM on {@code local[1]}, FIFO: one core, so a task that keeps it blocks everything. */
@Tag("local1")
@ExtendWith(SharedSpark.class)
class TimeoutOnOneCoreTest {

    @Test
    void aTimedOutRunFreesItsCoreAndTheNextItemRunsWithinSeconds(SparkSession spark) {
        assertThat(spark.sparkContext().master()).isEqualTo("local[1]");
        TaskProbe.INTERRUPTED.set(0);
        AtomicLong nextStartedAt = new AtomicLong();
        SparkJob job = ctx -> {
            if (!ctx.get("block", ParamType.BOOLEAN)) {
                nextStartedAt.set(System.nanoTime());
            } else {
                ctx.spark().range(0, 1, 1, 1).foreach(TaskProbe.SLEEP_LONG); // holds the only core for a minute
            }
            return Long.toString(ctx.spark().range(0, 100, 1, 1).count());
        };
        BatchResult result = Fanout.builder(spark).parallelism(1).timeout(Duration.ofSeconds(3)).build()
                .forEach(job, List.of(Map.of("block", "true"), Map.of("block", "false")));

        RunResult blocked = result.runs().get(0);
        RunResult next = result.runs().get(1);
        assertThat(blocked.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(blocked.error().message()).contains("timed out after 3.0s");
        assertThat(TaskProbe.INTERRUPTED.get()).as("the blocking task was interrupted").isEqualTo(1);
        assertThat(next.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(next.exitValue()).isEqualTo("100");
        // The blocked task gave up the only core because Spark interrupted it, and the next run started only after that.
        assertThat(nextStartedAt.get()).as("next run started after the blocked task ended").isGreaterThan(TaskProbe.INTERRUPTED_AT.get());
    }

    @Test
    void jobsARunSubmitsAfterItsTimeoutAreCancelledToo(SparkSession spark) {
        AtomicLong cancelledAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong jobsAttempted = new AtomicLong();
        spark.range(0, 1, 1, 1).foreach((ForeachFunction<Long>) x -> { }); // warm up, so the first task surely starts before the deadline
        TaskProbe.STARTED.set(0);
        // A job that swallows every failure and keeps submitting Spark jobs, as a driver-side retry loop might.
        SparkJob stubborn = ctx -> {
            for (int i = 0; i < 50; i++) {
                try {
                    jobsAttempted.incrementAndGet();
                    ctx.spark().range(0, 1, 1, 1).foreach(TaskProbe.SLEEP_LONG);
                } catch (Exception swallowed) {
                    cancelledAt.compareAndSet(Long.MAX_VALUE, System.nanoTime());
                }
            }
            return null;
        };
        BatchResult result = Fanout.builder(spark).parallelism(1).timeout(Duration.ofSeconds(4))
                .cancelGrace(Duration.ofSeconds(20)).build()
                .forEach(stubborn, List.of(Map.of()));

        assertThat(result.runs().get(0).outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(jobsAttempted.get()).as("the loop did go on submitting jobs").isGreaterThan(1);
        assertThat(TaskProbe.STARTED.get()).as("tasks started: only the first job's, none after the cancel").isEqualTo(1);
    }

    @Test
    void aFifoSessionGetsOneClearWarningAndStillWorks(SparkSession spark) throws Exception {
        try (LogCapture logs = new LogCapture()) {
            Fanout fanout = Fanout.builder(spark).parallelism(2).build();
            assertThat(fanout.run(ctx -> Long.toString(ctx.spark().range(4).count()), Map.of())).isEqualTo("4");
            assertThat(fanout.forEach(ctx -> null, ConcurrencyTest.items(4)).succeeded()).isTrue();
            assertThat(logs.messages()).filteredOn(m -> m.contains("spark.scheduler.mode is FIFO")).hasSize(1);
        }
    }
}
