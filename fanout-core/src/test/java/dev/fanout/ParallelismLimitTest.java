package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.internal.spark.AutoParallelism;
import dev.fanout.testing.SharedSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class ParallelismLimitTest {

    @Test
    void theLimitFollowsChangesBetweenRunsWithoutCancellingAnything(SparkSession spark) {
        AtomicInteger limit = new AtomicInteger(3);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        // For every run start: how many were in flight (itself included) and the limit in force when it started.
        List<int[]> starts = new CopyOnWriteArrayList<>();
        SparkJob job = ctx -> {
            int now = inFlight.incrementAndGet();
            int n = started.incrementAndGet();
            starts.add(new int[] {n, now, limit.get()});
            if (n == 6) {
                limit.set(1); // the cluster shrank: runs in flight go on, new ones wait
            } else if (n == 10) {
                limit.set(4); // and grew again
            }
            try {
                ctx.spark().range(10).count();
                Thread.sleep(300);
            } finally {
                inFlight.decrementAndGet();
            }
            return null;
        };
        List<Map<String, String>> items = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            items.add(Map.of("i", Integer.toString(i)));
        }
        BatchResult r = Fanout.builder(spark).parallelism(6).parallelismLimit(limit::get).build().forEach(job, items);
        assertThat(r.succeeded()).as("a lower limit cancels nothing").isTrue();
        assertThat(r.count(Outcome.CANCELLED)).isZero();
        int maxBefore = starts.stream().filter(s -> s[0] <= 5).mapToInt(s -> s[1]).max().orElse(0);
        assertThat(maxBefore).isLessThanOrEqualTo(3).isGreaterThanOrEqualTo(2);
        // Runs 7..10 started under limit 1, after the runs in flight at the change had ended: alone.
        assertThat(starts.stream().filter(s -> s[0] >= 8 && s[0] <= 10)).allSatisfy(s -> assertThat(s[1]).isEqualTo(1));
        // After the raise to 4, more than one ran at once again, never more than 4.
        assertThat(starts.stream().filter(s -> s[0] > 11).mapToInt(s -> s[1]).max().orElse(0)).isBetween(2, 4);
        assertThat(starts).allSatisfy(s -> assertThat(s[1]).isLessThanOrEqualTo(4));
    }

    @Test
    void autoInLocalModeIsTheLocalCoresPerCoresPerRun(SparkSession spark) {
        int cores = spark.sparkContext().defaultParallelism();
        AutoParallelism one = AutoParallelism.coresPerRun(spark.sparkContext(), 1);
        assertThat(one.getAsInt()).isEqualTo(cores);
        assertThat(one.explain()).isEqualTo("local mode (" + spark.sparkContext().master() + "): " + cores + " cores / 1 core per run = "
                + cores + " parallel runs");
        assertThat(AutoParallelism.coresPerRun(spark.sparkContext(), 100).getAsInt()).isEqualTo(1);
    }
}
