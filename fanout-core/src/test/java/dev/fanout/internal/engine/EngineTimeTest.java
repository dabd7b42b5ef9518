package dev.fanout.internal.engine;

import static dev.fanout.internal.engine.EngineHarness.attempt;
import static dev.fanout.internal.engine.EngineHarness.item;
import static dev.fanout.internal.engine.EngineHarness.items;
import static dev.fanout.internal.engine.EngineHarness.result;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Attempt;
import dev.fanout.BatchResult;
import dev.fanout.FailurePolicy;
import dev.fanout.FanoutListener;
import dev.fanout.Outcome;
import dev.fanout.ParamType;
import dev.fanout.Parallelism;
import dev.fanout.RetryPolicy;
import dev.fanout.RunResult;
import dev.fanout.SparkJob;
import dev.fanout.testing.FakeCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries, timeouts and stops on a fake cluster with a manual clock: every wait passes when the test says. */
class EngineTimeTest {
    private final EngineHarness h = new EngineHarness();

    @AfterEach
    void stopLeftovers() {
        h.engine().abort("test over");
    }

    @Test
    void aFailedAttemptIsRetriedAfterTheComputedBackoffOnTheClock() {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofSeconds(2))
                .maxBackoff(Duration.ofSeconds(30)).build();
        h.parallelism = Parallelism.fixed(1);
        h.retry = policy;
        h.random = 0.25;
        List<FanoutListener.RetryScheduled> scheduled = new CopyOnWriteArrayList<>();
        h.listeners.add(new FanoutListener() {
            @Override
            public void onRetryScheduled(RetryScheduled retry) {
                scheduled.add(retry);
            }
        });
        SparkJob flaky = ctx -> {
            h.cluster.runTasks(1);
            if (ctx.attempt() < 3) {
                throw new IllegalStateException("flaky source, attempt " + ctx.attempt());
            }
            return "ok on " + ctx.attempt();
        };
        CompletableFuture<BatchResult> f = h.start(flaky, items(1, new AtomicInteger()));

        Duration first = policy.backoff(1, () -> 0.25);
        assertThat(h.ticker.awaitWaiters(1)).containsExactly(first);
        h.ticker.advance(first.minusMillis(1));
        assertThat(h.ticker.awaitWaiters(1)).as("1 ms short of the backoff, still waiting").containsExactly(Duration.ofMillis(1));
        assertThat(h.cluster.entries()).hasSize(1);
        h.ticker.advance(Duration.ofMillis(1));
        h.cluster.awaitEntries(2);

        Duration second = policy.backoff(2, () -> 0.25);
        assertThat(second).isGreaterThan(first);
        assertThat(h.ticker.awaitWaiters(1)).containsExactly(second);
        h.ticker.advance(second);

        RunResult run = result(f).runs().get(0);
        assertThat(run.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(run.exitValue()).isEqualTo("ok on 3");
        assertThat(run.attempts()).extracting(Attempt::outcome).containsExactly(Outcome.FAILED, Outcome.FAILED, Outcome.SUCCEEDED);
        assertThat(run.attempts().get(0).error().message()).isEqualTo("flaky source, attempt 1");
        assertThat(run.attempts()).extracting(a -> a.metrics().tasks()).containsExactly(1L, 1L, 1L);
        assertThat(scheduled).extracting(FanoutListener.RetryScheduled::delay).containsExactly(first, second);
        assertThat(h.cluster.entries()).extracting(EngineHarness::attempt).containsExactly(1, 2, 3);
        assertThat(h.cluster.entries()).extracting(FakeCluster.Entry::group).doesNotHaveDuplicates();
    }

    @Test
    void aTimedOutRunIsCancelledOnTheClusterAndItsPoolReusedOnlyAfterItsTasksStopped() {
        h.parallelism = Parallelism.fixed(1);
        h.timeout = Duration.ofSeconds(10);
        h.cluster.tasksStopOnCancel(false); // executors take their time to kill the tasks
        SparkJob job = ctx -> {
            if (ctx.get("i", ParamType.INT) == 0) {
                h.cluster.holdTasks(2);
            }
            h.cluster.runTasks(1);
            return "done";
        };
        CompletableFuture<BatchResult> f = h.start(job, items(2, new AtomicInteger()));
        h.cluster.awaitHeldTasks(2);
        assertThat(h.ticker.awaitWaiters(1)).containsExactly(Duration.ofSeconds(10));
        h.ticker.advance(Duration.ofSeconds(10));

        // The run's group is cancelled and its thread has returned, but its tasks still run: the slot waits.
        h.cluster.awaitScopesClosed();
        assertThat(h.ticker.awaitWaiters(1)).containsExactly(Duration.ofSeconds(60));
        String group = h.cluster.entries().get(0).group();
        assertThat(h.cluster.cancelled()).containsOnlyKeys(group);
        assertThat(h.cluster.cancelled().get(group)).contains("timed out after 10.0s");
        assertThat(h.cluster.entries()).as("the next item waits for the cores").hasSize(1);

        h.cluster.stopTasks(group);
        FakeCluster.Entry next = h.cluster.awaitEntries(2).get(1);
        assertThat(item(next)).isEqualTo(1);
        assertThat(next.pool()).isEqualTo("fanout-slot-0");

        BatchResult r = result(f);
        RunResult timedOut = r.runs().get(0);
        assertThat(timedOut.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(timedOut.error().message()).isEqualTo("timed out after 10.0s; its Spark jobs were cancelled");
        assertThat(timedOut.metrics().tasks()).as("the tasks it started count").isEqualTo(2);
        assertThat(r.runs().get(1).outcome()).isEqualTo(Outcome.SUCCEEDED);
    }

    @Test
    void tasksThatNeverStopAreGivenUpAfterTheGracePeriod() {
        h.parallelism = Parallelism.fixed(1);
        h.timeout = Duration.ofSeconds(5);
        h.cancelGrace = Duration.ofSeconds(30);
        h.cluster.tasksStopOnCancel(false);
        SparkJob job = ctx -> {
            if (ctx.get("i", ParamType.INT) == 0) {
                h.cluster.holdTasks(1);
            }
            return "done";
        };
        CompletableFuture<BatchResult> f = h.start(job, items(2, new AtomicInteger()));
        h.cluster.awaitHeldTasks(1);
        assertThat(h.ticker.advanceToNextDeadline()).isEqualTo(Duration.ofSeconds(5));
        h.cluster.awaitScopesClosed();
        assertThat(h.ticker.advanceToNextDeadline()).isEqualTo(Duration.ofSeconds(30));
        BatchResult r = result(f);
        assertThat(r.runs()).extracting(RunResult::outcome).containsExactly(Outcome.TIMED_OUT, Outcome.SUCCEEDED);
        assertThat(h.cluster.runningTasks(r.runs().get(0).attempts().get(0).jobGroup())).isEqualTo(1);
    }

    @Test
    void failFastCancelsTheRunsInFlightAndSkipsEveryItemNotStarted() {
        h.parallelism = Parallelism.fixed(2);
        h.failurePolicy = FailurePolicy.FAIL_FAST;
        AtomicInteger read = new AtomicInteger();
        SparkJob job = ctx -> {
            if (ctx.get("i", ParamType.INT) == 1) {
                h.cluster.awaitHeldTasks(1); // item 0 has its tasks going
                throw new IllegalStateException("item 1 is broken");
            }
            h.cluster.holdTasks(1);
            return null;
        };
        BatchResult r = result(h.start(job, items(10, read)));

        assertThat(r.runs().get(1).outcome()).isEqualTo(Outcome.FAILED);
        RunResult cancelled = r.runs().get(0);
        assertThat(cancelled.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(cancelled.error().message()).isEqualTo("cancelled: fail-fast: item 1 FAILED");
        assertThat(h.cluster.cancelled()).containsKey(cancelled.attempts().get(0).jobGroup());
        assertThat(r.runs().subList(2, 10)).allSatisfy(run -> {
            assertThat(run.outcome()).isEqualTo(Outcome.SKIPPED);
            assertThat(run.attempts()).isEmpty();
        });
        assertThat(r.runs()).extracting(RunResult::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(h.cluster.entries()).hasSize(2);
        assertThat(r.interrupted()).isFalse();
    }

    @Test
    void abortCancelsTheRunsInFlightSkipsTheRestAndSaysWhy() {
        h.parallelism = Parallelism.fixed(2);
        SparkJob job = ctx -> {
            h.cluster.holdTasks(1);
            return null;
        };
        CompletableFuture<BatchResult> f = h.start(job, items(5, new AtomicInteger()));
        h.cluster.awaitHeldTasks(2);
        h.engine().abort("operator pressed Ctrl-C");
        BatchResult r = result(f);

        assertThat(r.interrupted()).isTrue();
        assertThat(r.runs()).extracting(RunResult::outcome).containsExactly(Outcome.CANCELLED, Outcome.CANCELLED,
                Outcome.SKIPPED, Outcome.SKIPPED, Outcome.SKIPPED);
        assertThat(r.runs().get(0).error().message()).isEqualTo("cancelled: operator pressed Ctrl-C");
        assertThat(h.cluster.cancelled()).hasSize(2).containsValue("operator pressed Ctrl-C");
    }

    @Test
    void aStopDuringTheBackoffEndsTheRunWithItsLastFailureAndStartsNoOtherAttempt() {
        h.parallelism = Parallelism.fixed(1);
        h.retry = RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofMinutes(1)).build();
        SparkJob job = ctx -> {
            throw new IllegalStateException("down");
        };
        CompletableFuture<BatchResult> f = h.start(job, items(2, new AtomicInteger()));
        h.ticker.awaitWaiters(1);
        h.engine().abort("stop");
        BatchResult r = result(f);
        assertThat(r.runs()).extracting(RunResult::outcome).containsExactly(Outcome.FAILED, Outcome.SKIPPED);
        assertThat(r.runs().get(0).attempts()).hasSize(1);
        assertThat(h.cluster.entries()).hasSize(1);
    }

    @Test
    void interruptingTheCallerStopsTheBatchAndKeepsTheInterrupt() throws Exception {
        h.parallelism = Parallelism.fixed(1);
        SparkJob job = ctx -> {
            h.cluster.holdTasks(1);
            return null;
        };
        Engine engine = h.engine();
        BatchResult[] out = new BatchResult[1];
        boolean[] flag = new boolean[1];
        Thread caller = new Thread(() -> {
            out[0] = engine.run(new BatchRequest(job, "b", items(3, new AtomicInteger()), i -> i,
                    java.util.OptionalLong.empty(), (i, t) -> { }, List.of()));
            flag[0] = Thread.currentThread().isInterrupted();
        });
        caller.start();
        h.cluster.awaitHeldTasks(1);
        EngineHarness.await(() -> engine.limiter().waiting() == 1, "the dispatcher waiting for a permit");
        caller.interrupt();
        caller.join(10_000);
        assertThat(caller.isAlive()).isFalse();
        assertThat(flag[0]).as("the interrupt flag is set again").isTrue();
        assertThat(out[0].interrupted()).isTrue();
        assertThat(out[0].runs()).extracting(RunResult::outcome).containsExactly(Outcome.CANCELLED, Outcome.SKIPPED, Outcome.SKIPPED);
        assertThat(out[0].runs().get(0).error().message()).isEqualTo("cancelled: the calling thread was interrupted");
    }
}
