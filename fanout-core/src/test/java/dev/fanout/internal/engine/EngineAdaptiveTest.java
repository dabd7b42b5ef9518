package dev.fanout.internal.engine;

import static dev.fanout.internal.engine.EngineHarness.await;
import static dev.fanout.internal.engine.EngineHarness.items;
import static dev.fanout.internal.engine.EngineHarness.result;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.BatchResult;
import dev.fanout.FanoutListener;
import dev.fanout.Outcome;
import dev.fanout.Parallelism;
import dev.fanout.SparkJob;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Parallelism.adaptive()} in the engine, on the fake cluster and the manual clock: the controller hears of
 * every run, its decisions move the limiter while the batch runs, and every listener hears of them with a reason.
 */
class EngineAdaptiveTest {
    private final EngineHarness h = new EngineHarness();

    @AfterEach
    void stopLeftovers() {
        h.engine().abort("test over");
    }

    @Test
    void theLimitGrowsWhileThroughputGrowsAndNeverGoesAboveMaxNorCancelsARun() {
        h.parallelism = Parallelism.adaptive().max(8); // the fake cluster has 4 cores: it starts at 4
        List<FanoutListener.ParallelismChange> engineHeard = new CopyOnWriteArrayList<>();
        h.listeners.add(new FanoutListener() {
            @Override
            public void onParallelismChange(ParallelismChange change) {
                engineHeard.add(change);
            }
        });
        List<CountDownLatch> blocked = new CopyOnWriteArrayList<>();
        AtomicInteger maxInFlight = new AtomicInteger();
        SparkJob job = ctx -> {
            h.cluster.runTasks(1);
            CountDownLatch done = new CountDownLatch(1);
            blocked.add(done);
            maxInFlight.accumulateAndGet(blocked.size(), Math::max);
            done.await();
            return "ok";
        };
        int n = 40;
        AtomicInteger read = new AtomicInteger();
        assertThat(h.engine().limitNow()).isEqualTo(4);
        CompletableFuture<BatchResult> f = h.start(job, items(n, read));
        List<Integer> limits = new CopyOnWriteArrayList<>();
        while (!f.isDone()) {
            // every run in flight is waiting in its job: 10 s pass, and they all end
            await(() -> f.isDone() || (blocked.size() == h.engine().inFlight()
                    && (blocked.size() >= h.engine().limitNow() || read.get() == n)), "runs to fill the limit");
            if (f.isDone()) {
                break;
            }
            limits.add(blocked.size());
            assertThat(blocked.size()).isLessThanOrEqualTo(8);
            h.ticker.advance(Duration.ofSeconds(10));
            List<CountDownLatch> now = List.copyOf(blocked);
            blocked.removeAll(now);
            now.forEach(CountDownLatch::countDown);
            await(() -> f.isDone() || h.engine().inFlight() == 0 || blocked.size() == h.engine().inFlight(), "the runs to end");
        }
        BatchResult r = result(f);
        assertThat(r.count(Outcome.SUCCEEDED)).isEqualTo(n);
        assertThat(h.cluster.cancelled()).as("lowering the limit cancels nothing").isEmpty();
        assertThat(maxInFlight.get()).isLessThanOrEqualTo(8);
        assertThat(limits.get(0)).isEqualTo(4);
        assertThat(limits).contains(8);
        assertThat(engineHeard).isNotEmpty();
        assertThat(engineHeard.get(0).from()).isEqualTo(4);
        assertThat(engineHeard.get(0).to()).isEqualTo(8);
        assertThat(engineHeard.get(0).explanation()).startsWith("start-up: task slots");
        assertThat(engineHeard).allSatisfy(c -> assertThat(c.to()).isBetween(1, 8));
        assertThat(r.parallelism()).isEqualTo(8);
    }

    /**
     * Runs that wait on something else (no task time, the driver idle) fill the limit: half a second later, before any
     * of them ended, the limiter's waiting dispatcher has the controller grow the limit; runs that keep the task slots
     * busy do not make it grow before they end.
     */
    @Test
    void startUpGrowsBeforeARunEndsOnlyWhileTheTaskSlotsAndTheDriverAreIdle() {
        for (boolean slotsBusy : new boolean[] {false, true}) {
            EngineHarness e = new EngineHarness();
            try {
                java.util.concurrent.atomic.AtomicLong taskNanos = new java.util.concurrent.atomic.AtomicLong();
                e.taskNanos = taskNanos::get;
                e.parallelism = Parallelism.adaptive().max(64); // 4 cores: it starts at 4
                List<FanoutListener.ParallelismChange> heard = new CopyOnWriteArrayList<>();
                e.listeners.add(new FanoutListener() {
                    @Override
                    public void onParallelismChange(ParallelismChange change) {
                        heard.add(change);
                    }
                });
                CountDownLatch release = new CountDownLatch(1);
                AtomicInteger read = new AtomicInteger();
                CompletableFuture<BatchResult> f = e.start(ctx -> {
                    release.await();
                    return "ok";
                }, items(100, read));
                await(() -> e.engine().inFlight() == 4, "4 runs in flight");
                // the dispatcher waits for a permit on the ticker, to ask again in half a second
                assertThat(e.ticker.awaitWaiters(1)).containsExactly(Duration.ofNanos(AdaptiveController.FULL_PROBE_NANOS));
                if (slotsBusy) {
                    taskNanos.addAndGet(Duration.ofSeconds(4 * 5).toNanos()); // 4 slots busy for the 5 s to come
                }
                e.ticker.advance(Duration.ofSeconds(5)); // 5 s (a long span: the real CPU the test uses stays far below 25%)
                if (slotsBusy) {
                    // it looked, found the slots full, and waits to look at the next half second
                    assertThat(e.ticker.awaitWaiters(1)).containsExactly(Duration.ofNanos(AdaptiveController.FULL_PROBE_NANOS));
                    assertThat(e.engine().limitNow()).isEqualTo(4);
                    assertThat(heard).isEmpty();
                } else {
                    await(() -> e.engine().inFlight() == 32, "the limit to grow to 32 before any run ended");
                    assertThat(heard).hasSize(1);
                    assertThat(heard.get(0).from()).isEqualTo(4);
                    assertThat(heard.get(0).to()).isEqualTo(32);
                    assertThat(heard.get(0).explanation()).startsWith("start-up: all 4 runs in flight for 5.0 s, task slots 0% busy, driver CPU ");
                }
                release.countDown();
                assertThat(result(f).count(Outcome.SUCCEEDED)).isEqualTo(100);
            } finally {
                e.engine().abort("test over");
            }
        }
    }
}
