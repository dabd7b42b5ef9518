package dev.fanout.internal.engine;

import static dev.fanout.internal.engine.EngineHarness.await;
import static dev.fanout.internal.engine.EngineHarness.item;
import static dev.fanout.internal.engine.EngineHarness.items;
import static dev.fanout.internal.engine.EngineHarness.result;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.BatchResult;
import dev.fanout.FanoutListener;
import dev.fanout.JobContext;
import dev.fanout.Outcome;
import dev.fanout.ParamType;
import dev.fanout.Parallelism;
import dev.fanout.RunResult;
import dev.fanout.SparkJob;
import dev.fanout.testing.FakeCluster;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Dispatch, lazy reading, the limit and the shared budget, on a fake cluster: no Spark, no sleeps. */
class EngineDispatchTest {
    private final EngineHarness h = new EngineHarness();
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

    /** Each run holds until the test opens its gate ({@code batch/i}). */
    private SparkJob gated(String batch) {
        return new SparkJob() {
            @Override
            public String run(JobContext ctx) throws Exception {
                h.cluster.runTasks(1);
                int i = ctx.get("i", ParamType.INT);
                if (!gate(batch + "/" + i).await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("gate " + batch + "/" + i + " never opened");
                }
                return batch + i;
            }

            @Override
            public String name() {
                return batch;
            }
        };
    }

    private CountDownLatch gate(String key) {
        return gates.computeIfAbsent(key, k -> new CountDownLatch(1));
    }

    private void open(String key) {
        gate(key).countDown();
    }

    @AfterEach
    void stopLeftovers() {
        h.engine().abort("test over");
    }

    @Test
    void itemsAreReadOnlyWhenAPermitIsFreeAndAFreedPoolIsRefilledAtOnce() {
        h.parallelism = Parallelism.fixed(2);
        AtomicInteger read = new AtomicInteger();
        CompletableFuture<BatchResult> f = h.start(gated("b"), items(5, read));

        List<FakeCluster.Entry> first = h.cluster.awaitEntries(2);
        assertThat(first).extracting(EngineHarness::item).containsExactlyInAnyOrder(0, 1);
        assertThat(first).extracting(FakeCluster.Entry::pool).containsExactlyInAnyOrder("fanout-slot-0", "fanout-slot-1");
        assertThat(read).as("items read while two runs hold both permits").hasValue(2);

        open("b/1"); // item 0 still runs: item 2 takes the freed permit and item 1's pool
        FakeCluster.Entry third = h.cluster.awaitEntries(3).get(2);
        assertThat(item(third)).isEqualTo(2);
        assertThat(third.pool()).isEqualTo(first.stream().filter(e -> item(e) == 1).findFirst().orElseThrow().pool());
        assertThat(read).hasValue(3);

        IntStream.range(0, 5).forEach(i -> open("b/" + i));
        BatchResult r = result(f);
        assertThat(r.runs()).extracting(RunResult::index).containsExactly(0, 1, 2, 3, 4);
        assertThat(r.runs()).extracting(RunResult::exitValue).containsExactly("b0", "b1", "b2", "b3", "b4");
        assertThat(r.runs()).extracting(RunResult::metrics).allSatisfy(m -> assertThat(m.tasks()).isEqualTo(1));
        assertThat(r.parallelism()).as("the most runs in flight at once").isEqualTo(2);
        // a run's permit goes back just after the batch hears of its end: every one comes back
        await(() -> h.engine().inFlight() == 0, "every permit back");
    }

    @Test
    void theLimitFollowsTheClusterAndIsNeverExceededWhileItChanges() {
        h.parallelism = Parallelism.auto().max(6);
        h.cluster.setCapacity(3, 1);
        List<Integer> inFlightAtStart = new ArrayList<>();
        List<Integer> limitAtStart = new ArrayList<>();
        List<String> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        h.listeners.add(new FanoutListener() {
            @Override
            public void onRunStart(RunStart run) {
                synchronized (inFlightAtStart) {
                    inFlightAtStart.add(h.engine().inFlight());
                    limitAtStart.add(h.engine().limitNow());
                }
            }

            @Override
            public void onParallelismChange(ParallelismChange change) {
                changes.add(change.from() + "->" + change.to() + ": " + change.explanation());
            }
        });
        AtomicInteger read = new AtomicInteger();
        CompletableFuture<BatchResult> f = h.start(gated("b"), items(12, read));
        assertThat(h.engine().limitNow()).isEqualTo(3);
        assertThat(h.engine().explainLimit()).isEqualTo("3 executors x 1 core / 1 core per run = 3 parallel runs");

        h.cluster.awaitEntries(3);
        await(() -> h.engine().limiter().waiting() == 1, "the dispatcher waiting for a 4th permit");
        assertThat(read).hasValue(3);

        h.cluster.setCapacity(1, 1); // two executors lost: nothing is cancelled, no new run until one is left
        assertThat(h.engine().limitNow()).isEqualTo(1);
        open("b/0");
        open("b/1");
        await(() -> h.engine().inFlight() == 1, "two runs ended");
        assertThat(read).as("no item read while 1 run is in flight under limit 1").hasValue(3);
        open("b/2");
        assertThat(item(h.cluster.awaitEntries(4).get(3))).isEqualTo(3);
        assertThat(h.engine().inFlight()).isEqualTo(1);

        h.cluster.setCapacity(4, 1); // executors joined: waiting items go at once, with no run ending
        assertThat(h.cluster.awaitEntries(7)).extracting(EngineHarness::item).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6);
        await(() -> h.engine().limiter().waiting() == 1, "the dispatcher waiting for a 5th permit");
        assertThat(h.engine().inFlight()).isEqualTo(4);

        IntStream.range(0, 12).forEach(i -> open("b/" + i));
        BatchResult r = result(f);
        assertThat(r.count(Outcome.SUCCEEDED)).isEqualTo(12);
        assertThat(r.count(Outcome.CANCELLED)).isZero();
        assertThat(r.parallelism()).isEqualTo(4);
        assertThat(changes).as("each change told to the listeners, with its reasoning").containsExactly(
                "3->1: 1 executor x 1 core / 1 core per run = 1 parallel run",
                "1->4: 4 executors x 1 core / 1 core per run = 4 parallel runs");
        for (int i = 0; i < inFlightAtStart.size(); i++) {
            assertThat(inFlightAtStart.get(i)).as("runs in flight at start %d", i).isLessThanOrEqualTo(limitAtStart.get(i));
        }
    }

    @Test
    void twoConcurrentBatchesShareOneBudgetTakeTurnsAndNeverShareAPool() {
        h.parallelism = Parallelism.fixed(3);
        Set<String> poolsInUse = new HashSet<>();
        List<String> clashes = new ArrayList<>();
        AtomicInteger current = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        FanoutListener pools = new FanoutListener() {
            @Override
            public void onRunStart(RunStart run) {
                synchronized (poolsInUse) {
                    if (!poolsInUse.add(run.pool())) {
                        clashes.add(run.pool());
                    }
                    peak.accumulateAndGet(current.incrementAndGet(), Math::max);
                }
            }

            @Override
            public void onRunEnd(RunResult result) {
                synchronized (poolsInUse) {
                    poolsInUse.remove("fanout-slot-" + result.attempts().get(0).slot());
                    current.decrementAndGet();
                }
            }
        };
        h.listeners.add(pools);
        CompletableFuture<BatchResult> a = h.start(gated("a"), items(6, new AtomicInteger()));
        h.cluster.awaitEntries(3);
        await(() -> h.engine().limiter().waiting() == 1, "batch a waiting for a 4th permit");
        CompletableFuture<BatchResult> b = h.start(gated("b"), items(6, new AtomicInteger()));
        await(() -> h.engine().limiter().waiting() == 2, "both batches waiting for a permit");
        assertThat(h.engine().inFlight()).isEqualTo(3);

        // Runs end one at a time, the oldest first; the freed permits go to the batches in turn.
        for (int step = 0; step < 9; step++) {
            List<FakeCluster.Entry> started = h.cluster.entries();
            FakeCluster.Entry oldest = started.get(step);
            open(oldest.description().startsWith("a") ? "a/" + item(oldest) : "b/" + item(oldest));
            h.cluster.awaitEntries(Math.min(12, 4 + step));
        }
        List<FakeCluster.Entry> all = h.cluster.awaitEntries(12);
        IntStream.range(0, 6).forEach(i -> {
            open("a/" + i);
            open("b/" + i);
        });
        BatchResult ra = result(a);
        BatchResult rb = result(b);

        assertThat(ra.succeeded()).isTrue();
        assertThat(rb.succeeded()).isTrue();
        assertThat(clashes).as("pools used by two runs at once").isEmpty();
        assertThat(peak).as("runs in flight at once, both batches together").hasValue(3);
        assertThat(all.subList(3, 5)).as("after batch a's first three, a and b take turns")
                .extracting(e -> e.description().substring(0, 1)).containsExactly("a", "b");
        assertThat(all).extracting(FakeCluster.Entry::pool).allMatch(p -> p.matches("fanout-slot-[012]"));
    }
}
