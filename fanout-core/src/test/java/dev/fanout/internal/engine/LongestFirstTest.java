package dev.fanout.internal.engine;

import static dev.fanout.internal.engine.EngineHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Attempt;
import dev.fanout.BatchResult;
import dev.fanout.Outcome;
import dev.fanout.Parallelism;
import dev.fanout.RunResult;
import dev.fanout.SparkJob;
import dev.fanout.SparkMetrics;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.HistoryStoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Longest first: the expected durations come from the history's earlier runs of the same job, and a batch of 30
 * items of which the last 3 take 8x longer ends sooner when they start first (the engine on the manual clock).
 */
class LongestFirstTest {
    private static final int ITEMS = 30;

    private static List<Map<String, String>> items() {
        List<Map<String, String>> items = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            items.add(Map.of("day", "d" + i));
        }
        return items;
    }

    /** The last 3 items take 80 s, the others 10 s. */
    private static Duration duration(Map<String, String> item) {
        return Integer.parseInt(item.get("day").substring(1)) >= ITEMS - 3 ? Duration.ofSeconds(80) : Duration.ofSeconds(10);
    }

    @Test
    void expectedDurationsComeFromTheLatestSucceededRunOfTheSameJob() {
        HistoryStore h = HistoryStore.inMemory();
        List<Map<String, String>> items = items();
        record(h, "b1", "Daily", items, item -> duration(item));
        record(h, "b2", "Other", items, item -> Duration.ofSeconds(1)); // another job: not used
        Map<Map<String, String>, Long> expected = LongestFirst.expectedMillis(h, "Daily");
        assertThat(expected).hasSize(ITEMS).containsEntry(Map.of("day", "d29"), 80_000L).containsEntry(Map.of("day", "d0"), 10_000L);

        int[] order = LongestFirst.order(items, expected, UnaryOperator.identity());
        assertThat(order).startsWith(27, 28, 29, 0, 1, 2); // longest first, ties in input order
        assertThat(LongestFirst.order(items, Map.of(), UnaryOperator.identity())).as("nothing known: input order").isNull();
        // an item never run before counts as the median
        List<Map<String, String>> more = new ArrayList<>(items);
        more.add(0, Map.of("day", "new"));
        assertThat(LongestFirst.order(more, expected, UnaryOperator.identity())).startsWith(28, 29, 30, 0, 1);
    }

    @Test
    void threeLongItemsListedLastEndTheBatchSoonerWhenStartedFirst() {
        List<Map<String, String>> items = items();
        HistoryStore h = HistoryStore.inMemory();
        record(h, "earlier", "Daily", items, LongestFirstTest::duration);
        int[] order = LongestFirst.order(items, LongestFirst.expectedMillis(h, "Daily"), UnaryOperator.identity());

        Duration input = makespan(items, null);
        Duration longestFirst = makespan(items, order);
        System.out.printf("30 items (3 of 80 s listed last, 27 of 10 s), 4 at once: input order %ds, longest first %ds%n",
                input.toSeconds(), longestFirst.toSeconds());
        assertThat(input).isEqualTo(Duration.ofSeconds(150));
        assertThat(longestFirst).isEqualTo(Duration.ofSeconds(130));
    }

    /** Runs the batch on the engine with 4 at once; the manual clock jumps to each next run's end. */
    private static Duration makespan(List<Map<String, String>> items, int[] order) {
        EngineHarness h = new EngineHarness();
        h.parallelism = Parallelism.fixed(4);
        record Blocked(long endNanos, CountDownLatch latch) {}
        List<Blocked> blocked = new CopyOnWriteArrayList<>();
        SparkJob job = ctx -> {
            CountDownLatch l = new CountDownLatch(1);
            blocked.add(new Blocked(h.ticker.nanoTime() + duration(ctx.params()).toNanos(), l));
            l.await();
            return "ok";
        };
        List<Map<String, String>> ordered = new ArrayList<>();
        for (int k = 0; k < items.size(); k++) {
            ordered.add(items.get(order == null ? k : order[k]));
        }
        Iterator<Map<String, String>> it = ordered.iterator();
        long t0 = h.ticker.nanoTime();
        Engine engine = h.engine(); // made on this thread, before the batch's
        CompletableFuture<BatchResult> f = CompletableFuture.supplyAsync(() -> engine.run(new BatchRequest(job, "b",
                it, k -> order == null ? k : order[k], OptionalLong.of(items.size()), (i, e) -> { }, List.of())));
        while (true) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!(f.isDone() || (blocked.size() == h.engine().inFlight() && (blocked.size() == 4 || !it.hasNext())))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("stuck: blocked " + blocked.size() + ", in flight " + h.engine().inFlight()
                            + ", items left " + it.hasNext() + ", entries " + h.cluster.entries().size());
                }
                Thread.onSpinWait();
            }
            if (f.isDone() || blocked.isEmpty()) {
                break; // every run has ended: the batch is finishing
            }
            long next = blocked.stream().mapToLong(Blocked::endNanos).min().orElseThrow();
            h.ticker.advance(Duration.ofNanos(next - h.ticker.nanoTime()));
            List<Blocked> done = blocked.stream().filter(b -> b.endNanos() <= next).toList();
            blocked.removeAll(done);
            int before = h.engine().inFlight();
            done.forEach(b -> b.latch().countDown());
            await(() -> f.isDone() || h.engine().inFlight() <= before - done.size() || blocked.size() == h.engine().inFlight(),
                    "the ended runs to give back their slots");
        }
        BatchResult r = f.join();
        assertThat(r.count(Outcome.SUCCEEDED)).isEqualTo(items.size());
        assertThat(r.runs()).extracting(RunResult::index).as("results in input order").isSorted();
        assertThat(r.runs()).extracting(RunResult::params).containsExactlyElementsOf(items);
        return Duration.ofNanos(h.ticker.nanoTime() - t0);
    }

    private static void record(HistoryStore h, String batch, String job, List<Map<String, String>> items,
                               java.util.function.Function<Map<String, String>, Duration> took) {
        BatchSpec spec = HistoryStoreContract.SPEC;
        h.createBatch(batch, job, spec, items, HistoryStoreContract.T0);
        int seq = h.startExecution(batch, spec, 4, 4, HistoryStoreContract.T0);
        for (int i = 0; i < items.size(); i++) {
            Instant s = HistoryStoreContract.T0;
            Instant e = s.plus(took.apply(items.get(i)));
            Attempt a = new Attempt(1, batch + "-g" + i, 0, s, e, Outcome.SUCCEEDED, null, SparkMetrics.ZERO);
            h.recordRun(batch, seq, new RunResult(i, batch + "-" + i, items.get(i), Outcome.SUCCEEDED, "ok", List.of(a), s, e, null));
        }
    }
}
