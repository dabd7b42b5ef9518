package dev.fanout.internal.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.SharedSpark;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.function.ForeachFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link SparkCluster#taskNanos()} on Spark: the task time of fanout's job groups counts the tasks still running, so
 * the adaptive parallelism sees busy task slots before any run (or task) ended; other groups' tasks do not count.
 */
@ExtendWith(SharedSpark.class)
class GroupTaskTrackerTaskTimeTest {
    static final ForeachFunction<Long> SLEEP = x -> Thread.sleep(3000);

    @Test
    void runningTasksCountWhileTheyRun(SparkSession spark) throws Exception {
        SparkCluster cluster = new SparkCluster(spark, "fanout-");
        String group = "fanout-tasktime-test";
        CompletableFuture<Void> job = CompletableFuture.runAsync(() -> {
            spark.sparkContext().setJobGroup(group, "task time", true);
            try {
                spark.range(0, 2, 1, 2).foreach(SLEEP); // 2 tasks of 3 s
            } finally {
                spark.sparkContext().clearJobGroup();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cluster.runningTasks(group) < 2) {
            assertThat(System.nanoTime()).as("both tasks started").isLessThan(deadline);
            Thread.sleep(10);
        }
        long t0 = cluster.taskNanos();
        long wall0 = System.nanoTime();
        Thread.sleep(500);
        long t1 = cluster.taskNanos();
        long wall = System.nanoTime() - wall0;
        assertThat(cluster.runningTasks(group)).as("no task ended yet").isEqualTo(2);
        // both tasks held a core all along (give or take the reads' own spacing)
        assertThat(t1 - t0).isGreaterThanOrEqualTo(2 * (wall - TimeUnit.MILLISECONDS.toNanos(50)));

        job.get(60, TimeUnit.SECONDS);
        assertThat(cluster.awaitStopped(group, java.time.Duration.ofSeconds(30))).isTrue();
        long other0 = cluster.taskNanos();
        spark.range(0, 2, 1, 2).foreach(SLEEP); // no job group of fanout's: not counted
        assertThat(cluster.taskNanos() - other0).as("another group's 6 s of tasks").isZero();
    }
}
