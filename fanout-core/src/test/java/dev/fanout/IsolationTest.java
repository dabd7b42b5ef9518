package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.SharedSpark;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class IsolationTest {

    @Test
    void nothingThreadLocalLeaksIntoTheNextRunOnTheSameThread(SparkSession spark) {
        record Seen(String thread, String custom, String group, String interrupt, String description,
                    SparkSession active, SparkSession own, String shufflePartitions) {}
        Map<Integer, Seen> seen = new ConcurrentHashMap<>();
        SparkJob job = new SparkJob() {
            @Override
            public String run(JobContext ctx) {
                SparkContext sc = ctx.spark().sparkContext();
                int i = ctx.get("i", ParamType.INT);
                seen.put(i, new Seen(Thread.currentThread().getName(), sc.getLocalProperty("custom.key"),
                        sc.getLocalProperty("spark.jobGroup.id"), sc.getLocalProperty("spark.job.interruptOnCancel"),
                        sc.getLocalProperty("spark.job.description"), SparkSession.active(), ctx.spark(),
                        ctx.spark().conf().get("spark.sql.shuffle.partitions")));
                // Leave as much mess behind as a careless job could.
                sc.setLocalProperty("custom.key", "from run " + i);
                sc.setJobGroup("hijacked-" + i, "hijacked", false);
                sc.setLocalProperty("spark.scheduler.pool", "hijacked");
                ctx.spark().conf().set("spark.sql.shuffle.partitions", "77");
                SparkSession.setActiveSession(spark.newSession());
                ctx.spark().range(5).count();
                return null;
            }

            @Override
            public String name() {
                return "Probe";
            }
        };
        SparkContext sc = spark.sparkContext();
        sc.setLocalProperty("caller.key", "caller");
        try {
            BatchResult result = Fanout.builder(spark).parallelism(1).build()
                    .forEach(job, List.of(Map.of("i", "1"), ordered("i", "2", "day", "2024-01-02"), Map.of("i", "3")));
            assertThat(result.succeeded()).isTrue();
            assertThat(sc.getLocalProperty("caller.key")).isEqualTo("caller");
            assertThat(sc.getLocalProperty("spark.jobGroup.id")).isNull();
        } finally {
            sc.setLocalProperty("caller.key", null);
        }
        assertThat(seen.values()).extracting(Seen::thread).as("one reused runner thread").containsOnly(seen.get(1).thread());
        for (int i = 2; i <= 3; i++) {
            Seen s = seen.get(i);
            assertThat(s.custom()).isNull();
            assertThat(s.group()).startsWith("fanout-").doesNotStartWith("hijacked");
            assertThat(s.interrupt()).isEqualTo("true");
            assertThat(s.active()).isSameAs(s.own());
            assertThat(s.shufflePartitions()).isEqualTo("2");
        }
        assertThat(seen.get(2).description()).isEqualTo("Probe i=2 day=2024-01-02");
        assertThat(Set.of(seen.get(1).group(), seen.get(2).group(), seen.get(3).group())).hasSize(3);
        assertThat(Set.of(seen.get(1).own(), seen.get(2).own(), seen.get(3).own())).hasSize(3).doesNotContain(spark);
    }

    @Test
    void parallelRunsUsingTheSameTempViewNameEachSeeTheirOwnData(SparkSession spark) {
        CyclicBarrier bothCreated = new CyclicBarrier(2);
        SparkJob job = ctx -> {
            long n = ctx.get("n", ParamType.LONG);
            ctx.spark().range(n).createOrReplaceTempView("numbers");
            bothCreated.await(30, TimeUnit.SECONDS); // both views exist at the same time
            return ctx.spark().sql("SELECT CAST(count(*) AS STRING) FROM numbers").first().getString(0);
        };
        BatchResult result = Fanout.builder(spark).parallelism(2).build()
                .forEach(job, List.of(Map.of("n", "10"), Map.of("n", "1000")));

        assertThat(result.runs()).extracting(RunResult::exitValue).containsExactly("10", "1000");
        assertThat(spark.catalog().tableExists("numbers")).isFalse();
    }

    @Test
    void everyAttemptHasItsOwnJobGroupNeverReused(SparkSession spark) {
        Set<String> groups = ConcurrentHashMap.newKeySet();
        SparkJob job = ctx -> {
            groups.add(ctx.spark().sparkContext().getLocalProperty("spark.jobGroup.id"));
            if (ctx.attempt() < 2) {
                throw new IllegalStateException("first attempt fails");
            }
            return null;
        };
        Fanout fanout = Fanout.builder(spark).parallelism(2)
                .retry(RetryPolicy.builder().maxAttempts(2).initialBackoff(java.time.Duration.ZERO).build()).build();
        fanout.forEach(job, ConcurrencyTest.items(5));
        fanout.forEach(job, ConcurrencyTest.items(5));
        assertThat(groups).hasSize(20);
    }

    @Test
    void withoutSessionPerRunRunsShareTheGivenSessionButKeepTheirOwnJobGroupAndPool(SparkSession spark) {
        Set<String> groups = ConcurrentHashMap.newKeySet();
        Set<SparkSession> sessions = ConcurrentHashMap.newKeySet();
        SparkJob job = ctx -> {
            sessions.add(ctx.spark());
            groups.add(ctx.spark().sparkContext().getLocalProperty("spark.jobGroup.id"));
            assertThat(ctx.spark().sparkContext().getLocalProperty("spark.scheduler.pool")).startsWith("fanout-slot-");
            return Long.toString(ctx.spark().range(3).count());
        };
        BatchResult result = Fanout.builder(spark).parallelism(2).sessionPerRun(false).build().forEach(job, ConcurrencyTest.items(6));
        assertThat(result.succeeded()).isTrue();
        assertThat(sessions).containsExactly(spark);
        assertThat(groups).hasSize(6);
    }

    static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
