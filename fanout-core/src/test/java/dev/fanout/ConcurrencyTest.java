package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.SharedSpark;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class ConcurrencyTest {

    static List<Map<String, String>> items(int n) {
        return IntStream.range(0, n).mapToObj(i -> Map.of("i", Integer.toString(i))).toList();
    }

    @Test
    void neverMoreThanParallelismRunsInFlightAndTheBoundIsReached(SparkSession spark) {
        AtomicInteger current = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        SparkJob job = ctx -> {
            int now = current.incrementAndGet();
            peak.accumulateAndGet(now, Math::max);
            try {
                long n = ctx.spark().range(0, 1000, 1, 2).count();
                Thread.sleep(30);
                return Long.toString(n);
            } finally {
                current.decrementAndGet();
            }
        };
        BatchResult result = Fanout.builder(spark).parallelism(3).build().forEach(job, items(24));

        assertThat(result.count(Outcome.SUCCEEDED)).isEqualTo(24);
        assertThat(peak.get()).isEqualTo(3);
        assertThat(result.runs()).extracting(RunResult::exitValue).containsOnly("1000");
        assertThat(result.runs()).extracting(RunResult::index).containsExactlyElementsOf(IntStream.range(0, 24).boxed().toList());
    }

    @Test
    void aFreedSlotTakesTheNextItemAtOnceWithoutWaitingForTheOthers(SparkSession spark) {
        // Item 0 is slow; with two slots, every other item must go through the second slot while item 0 still runs.
        SparkJob job = ctx -> {
            ctx.spark().range(10).count();
            if (ctx.get("i", ParamType.INT) == 0) {
                Thread.sleep(3000);
            }
            return null;
        };
        BatchResult result = Fanout.builder(spark).parallelism(2).build().forEach(job, items(12));

        Instant slowEnd = result.runs().get(0).endedAt();
        assertThat(result.succeeded()).isTrue();
        assertThat(result.runs().subList(1, 12)).allSatisfy(r -> assertThat(r.endedAt()).isBefore(slowEnd));
    }

    @Test
    void runsInFlightTogetherAreInDistinctPoolsWithTheConfiguredWeight(SparkSession spark) throws Exception {
        Map<String, String> poolOfGroup = new ConcurrentHashMap<>();
        SparkListener listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart e) {
                String group = e.properties().getProperty("spark.jobGroup.id");
                if (group != null) {
                    poolOfGroup.put(group, e.properties().getProperty("spark.scheduler.pool"));
                }
            }
        };
        spark.sparkContext().addSparkListener(listener);
        record Seen(String pool, long start, long end) {}
        List<Seen> seen = new CopyOnWriteArrayList<>();
        SparkJob job = ctx -> {
            long start = System.nanoTime();
            ctx.spark().range(0, 100, 1, 2).count();
            Thread.sleep(100);
            seen.add(new Seen(ctx.spark().sparkContext().getLocalProperty("spark.scheduler.pool"), start, System.nanoTime()));
            return null;
        };
        try {
            BatchResult result = Fanout.builder(spark).parallelism(4).poolWeight(SharedSpark.POOL_WEIGHT).build()
                    .forEach(job, items(16));
            assertThat(result.succeeded()).isTrue();
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
        int overlapping = 0;
        for (Seen a : seen) {
            for (Seen b : seen) {
                if (a != b && a.start() < b.end() && b.start() < a.end()) {
                    overlapping++;
                    assertThat(a.pool()).isNotEqualTo(b.pool());
                }
            }
        }
        assertThat(overlapping).isPositive();
        assertThat(seen).extracting(Seen::pool).allMatch(p -> p.startsWith("fanout-slot-"));
        assertThat(seen.stream().map(Seen::pool).distinct().count()).isEqualTo(4);
        // Spark itself put each run's jobs in the run's pool, and the pools carry the weight from the allocation file.
        spark.sparkContext().listenerBus().waitUntilEmpty();
        assertThat(poolOfGroup.values()).isNotEmpty().allMatch(p -> p.startsWith("fanout-slot-"));
        for (int slot = 0; slot < 4; slot++) {
            assertThat(spark.sparkContext().getPoolForName("fanout-slot-" + slot).get().weight()).isEqualTo(SharedSpark.POOL_WEIGHT);
        }
    }

    @Test
    void itemsAreReadLazilyAndAHugeBatchKeepsHeapAndThreadsBounded(SparkSession spark) {
        int total = 100_000;
        int parallelism = 4;
        AtomicInteger pulled = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        AtomicInteger maxAhead = new AtomicInteger();
        Iterator<Map<String, String>> lazy = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return pulled.get() < total;
            }

            @Override
            public Map<String, String> next() {
                int i = pulled.getAndIncrement();
                maxAhead.accumulateAndGet(i - ended.get(), Math::max);
                return Map.of("i", Integer.toString(i));
            }
        };
        List<Long> heapSamples = new ArrayList<>();
        AtomicInteger peakThreads = new AtomicInteger();
        int threadsBefore = Thread.activeCount();
        FanoutListener probe = new FanoutListener() {
            @Override
            public void onRunEnd(RunResult r) {
                int n = ended.incrementAndGet();
                if (n % 1000 == 0) {
                    peakThreads.accumulateAndGet(Thread.activeCount(), Math::max);
                }
                if (n == 10_000 || n == 90_000) {
                    synchronized (heapSamples) {
                        heapSamples.add(usedHeapAfterGc());
                    }
                }
            }
        };
        SparkJob trivial = ctx -> ctx.params().get("i");
        BatchResult result = Fanout.builder(spark).parallelism(parallelism).retainRuns(false).listener(probe).build()
                .forEach(trivial, () -> lazy);

        assertThat(result.count(Outcome.SUCCEEDED)).isEqualTo(total);
        assertThat(maxAhead.get()).as("items pulled ahead of finished runs").isLessThanOrEqualTo(parallelism);
        assertThat(peakThreads.get() - threadsBefore).as("extra threads").isLessThanOrEqualTo(2 * parallelism + 4);
        assertThat(heapSamples).hasSize(2);
        long growth = heapSamples.get(1) - heapSamples.get(0);
        assertThat(growth).as("heap growth over 80,000 runs, bytes").isLessThan(32L << 20);
    }

    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
