package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.testing.SharedSpark;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class RetryAndFailureTest {
    private static final RetryPolicy QUICK_RETRIES = RetryPolicy.builder().maxAttempts(3)
            .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100)).build();

    @Test
    void aFailingAttemptIsRetriedUntilItSucceeds(SparkSession spark) {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        List<FanoutListener.RetryScheduled> retries = new CopyOnWriteArrayList<>();
        SparkJob flaky = ctx -> {
            int call = calls.computeIfAbsent(ctx.runId(), k -> new AtomicInteger()).incrementAndGet();
            assertThat(ctx.attempt()).isEqualTo(call);
            if (ctx.attempt() < 3) {
                // fails inside a Spark task, as a flaky source would
                ctx.spark().range(0, 4, 1, 2).foreach(TaskProbe.FAIL);
            }
            return "ok on " + ctx.attempt();
        };
        BatchResult result = Fanout.builder(spark).parallelism(2).retry(QUICK_RETRIES)
                .listener(new FanoutListener() {
                    @Override
                    public void onRetryScheduled(RetryScheduled r) {
                        retries.add(r);
                    }
                }).build()
                .forEach(flaky, ConcurrencyTest.items(2));

        assertThat(result.succeeded()).isTrue();
        RunResult run = result.runs().get(0);
        assertThat(run.exitValue()).isEqualTo("ok on 3");
        assertThat(run.attempts()).extracting(Attempt::outcome).containsExactly(Outcome.FAILED, Outcome.FAILED, Outcome.SUCCEEDED);
        assertThat(run.attempts().get(0).error().message()).contains("flaky source");
        assertThat(run.attempts().get(1).startedAt()).isAfterOrEqualTo(run.attempts().get(0).endedAt());
        assertThat(run.startedAt()).isEqualTo(run.attempts().get(0).startedAt());
        assertThat(retries).hasSize(4).extracting(FanoutListener.RetryScheduled::failedAttempt).containsOnly(1, 2);
    }

    @Test
    void aBadParameterIsNotRetriedAndNamesTheParameterAndValue(SparkSession spark) {
        AtomicInteger calls = new AtomicInteger();
        SparkJob job = ctx -> {
            calls.incrementAndGet();
            return ctx.get("day", ParamType.DATE).toString();
        };
        BatchResult result = Fanout.builder(spark).retry(QUICK_RETRIES).build()
                .forEach(job, List.of(Map.of("day", "2024-13-01"), Map.of("other", "x")));

        assertThat(calls).hasValue(2);
        RunResult bad = result.runs().get(0);
        assertThat(bad.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(bad.attempts()).hasSize(1);
        assertThat(bad.error().type()).isEqualTo(BadParameterException.class.getName());
        assertThat(bad.error().message()).contains("'day'", "'2024-13-01'", "ISO date");
        assertThat(result.runs().get(1).error().message()).contains("missing required parameter 'day'", "other");
    }

    @Test
    void continuePolicyKeepsGoingPastFailures(SparkSession spark) {
        SparkJob job = ctx -> {
            if (ctx.get("i", ParamType.INT) % 3 == 0) {
                throw new IllegalArgumentException("bad item " + ctx.get("i"));
            }
            return Long.toString(ctx.spark().range(3).count());
        };
        BatchResult result = Fanout.builder(spark).parallelism(3).build().forEach(job, ConcurrencyTest.items(9));
        assertThat(result.count(Outcome.FAILED)).isEqualTo(3);
        assertThat(result.count(Outcome.SUCCEEDED)).isEqualTo(6);
        assertThat(result.runs().get(3).error().firstLine()).isEqualTo("bad item 3");
        assertThat(result.runs().get(3).error().stackTrace()).contains("IllegalArgumentException", "at ");
    }

    @Test
    void failFastCancelsRunsInFlightOnTheClusterAndSkipsTheRest(SparkSession spark) {
        AtomicInteger tasksInterrupted = TaskProbe.INTERRUPTED;
        tasksInterrupted.set(0);
        SparkJob job = ctx -> {
            int i = ctx.get("i", ParamType.INT);
            if (i == 2) {
                Thread.sleep(500); // let the others get their Spark tasks going
                throw new IllegalStateException("item 2 is broken");
            }
            ctx.spark().range(0, 1, 1, 1).foreach(TaskProbe.SLEEP_LONG);
            return null;
        };
        BatchResult result = Fanout.builder(spark).parallelism(3).failFast().build().forEach(job, ConcurrencyTest.items(20));

        assertThat(result.runs().get(2).outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.runs().get(0).outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(result.runs().get(1).outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(result.runs().subList(3, 20)).extracting(RunResult::outcome).isSubsetOf(Outcome.CANCELLED, Outcome.SKIPPED);
        assertThat(result.count(Outcome.SKIPPED)).isGreaterThanOrEqualTo(15);
        assertThat(result.runs()).filteredOn(r -> r.outcome() == Outcome.SKIPPED).allSatisfy(r -> assertThat(r.attempts()).isEmpty());
        assertThat(result.interrupted()).isFalse();
        // The 60 s tasks did not run to their end: Spark interrupted them (the engine's stop logic is tested on a
        // fake cluster in internal.engine.EngineTimeTest).
        assertThat(tasksInterrupted.get()).as("Spark tasks interrupted by the cancel").isGreaterThanOrEqualTo(2);
    }

    @Test
    void abortFromAnotherThreadCancelsInFlightRunsAndSkipsTheRest(SparkSession spark) throws Exception {
        Fanout fanout = Fanout.builder(spark).parallelism(2).build();
        SparkJob job = ctx -> {
            ctx.spark().range(0, 1, 1, 1).foreach(TaskProbe.SLEEP_LONG);
            return null;
        };
        Thread aborter = new Thread(() -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                return;
            }
            fanout.abort("operator pressed Ctrl-C");
        });
        aborter.start();
        BatchResult result = fanout.forEach(job, ConcurrencyTest.items(6));
        aborter.join();

        assertThat(result.interrupted()).isTrue();
        assertThat(result.count(Outcome.CANCELLED)).isEqualTo(2);
        assertThat(result.count(Outcome.SKIPPED)).isEqualTo(4);
        assertThat(result.runs().get(0).error().message()).contains("operator pressed Ctrl-C");
    }

    @Test
    void runReturnsTheExitValueOrThrowsWithTheJobsOwnCause(SparkSession spark) throws Exception {
        Fanout fanout = Fanout.builder(spark).timeout(Duration.ofSeconds(2)).build();
        assertThat(fanout.run(ctx -> "n=" + ctx.spark().range(7).count(), Map.of())).isEqualTo("n=7");

        IllegalStateException own = new IllegalStateException("the job's own failure");
        assertThatThrownBy(() -> fanout.run(ctx -> {
            throw own;
        }, Map.of("day", "2024-01-01")))
                .isInstanceOf(RunFailedException.class)
                .hasCause(own)
                .hasMessageContaining("the job's own failure");

        assertThatThrownBy(() -> fanout.run(ctx -> {
            ctx.spark().range(0, 1, 1, 1).foreach(TaskProbe.SLEEP_LONG);
            return null;
        }, Map.of()))
                .isInstanceOf(RunTimedOutException.class)
                .hasMessageContaining("timed out after 2.0s")
                .satisfies(e -> assertThat(((RunTimedOutException) e).result().outcome()).isEqualTo(Outcome.TIMED_OUT));
    }
}
