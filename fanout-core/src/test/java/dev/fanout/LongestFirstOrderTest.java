package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.history.HistoryStore;
import dev.fanout.testing.SharedSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Longest first through the library on local Spark: the second batch of the same job starts the items whose first
 * runs took longest first; {@code Order.INPUT} keeps input order; results are in input order either way.
 */
@ExtendWith(SharedSpark.class)
class LongestFirstOrderTest {
    /** Items 0..7; items 5 and 7 wait 1.5 s, the others 20 ms, then count a tiny range on Spark. */
    private static final SparkJob JOB = new SparkJob() {
        @Override
        public String run(JobContext ctx) throws Exception {
            int i = ctx.get("i", ParamType.INT);
            if (failing) {
                throw new IllegalStateException("failing on purpose: item " + i);
            }
            Thread.sleep(i == 5 || i == 7 ? 1500 : 20);
            return Long.toString(ctx.spark().range(3).count());
        }

        @Override
        public String name() {
            return "LongestFirstOrderTest.Job";
        }
    };

    private static volatile boolean failing;

    @Test
    void theSecondBatchStartsTheItemsThatTookLongestFirst(SparkSession spark) {
        List<Map<String, String>> items = itemsAfterWarmUp(spark);
        try (HistoryStore history = HistoryStore.inMemory()) {
            assertThat(startOrder(spark, history, Order.LONGEST_FIRST, items)).as("no durations known yet: input order")
                    .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            List<Integer> second = startOrder(spark, history, Order.LONGEST_FIRST, items);
            assertThat(second.subList(0, 2)).containsExactlyInAnyOrder(5, 7);
            assertThat(startOrder(spark, history, Order.INPUT, items)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        }
    }

    @Test
    void aResumeStartsTheItemsThatTookLongestFirstAndKeepsTheirIndices(SparkSession spark) {
        List<Map<String, String>> items = itemsAfterWarmUp(spark);
        try (HistoryStore history = HistoryStore.inMemory()) {
            startOrder(spark, history, Order.INPUT, items); // durations known: 5 and 7 took longest
            String failed;
            failing = true;
            try (Fanout f = Fanout.builder(spark).parallelism(1).history(history).build()) {
                BatchResult r = f.forEach(JOB, items);
                assertThat(r.count(Outcome.FAILED)).isEqualTo(8);
                failed = r.batchId();
            } finally {
                failing = false;
            }
            List<Integer> started = new CopyOnWriteArrayList<>();
            FanoutListener l = new FanoutListener() {
                @Override
                public void onRunStart(RunStart run) {
                    started.add(run.index());
                }
            };
            try (Fanout f = Fanout.builder(spark).parallelism(1).history(history).listener(l).build()) {
                BatchResult again = f.resume(JOB, failed);
                assertThat(again.succeeded()).isTrue();
                assertThat(again.runs()).extracting(RunResult::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
                assertThat(again.runs()).extracting(RunResult::params).as("each index kept its item").containsExactlyElementsOf(items);
            }
            assertThat(started.subList(0, 2)).containsExactlyInAnyOrder(5, 7);
            assertThat(started).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
        }
    }

    /** Items 0..7, after two runs outside any history (the first runs of a session are slower). */
    private static List<Map<String, String>> itemsAfterWarmUp(SparkSession spark) {
        List<Map<String, String>> items = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            items.add(Map.of("i", Integer.toString(i)));
        }
        try (Fanout warm = Fanout.builder(spark).parallelism(1).build()) {
            warm.forEach(JOB, items.subList(0, 2));
        }
        return items;
    }

    private static List<Integer> startOrder(SparkSession spark, HistoryStore history, Order order, List<Map<String, String>> items) {
        List<Integer> started = new CopyOnWriteArrayList<>();
        FanoutListener l = new FanoutListener() {
            @Override
            public void onRunStart(RunStart run) {
                started.add(run.index());
            }
        };
        try (Fanout f = Fanout.builder(spark).parallelism(1).order(order).history(history).listener(l).build()) {
            BatchResult r = f.forEach(JOB, items);
            assertThat(r.succeeded()).isTrue();
            assertThat(r.runs()).extracting(RunResult::index).as("results in input order").containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            assertThat(r.runs()).extracting(RunResult::params).containsExactlyElementsOf(items);
        }
        return started;
    }
}
