package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.SharedSpark;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Parallelism} on real Spark: what {@code auto()} reads from the context. How the engine follows a changing
 * limit is tested on a fake cluster ({@code internal.engine.EngineDispatchTest}).
 */
@ExtendWith(SharedSpark.class)
class ParallelismLimitTest {

    @Test
    void autoInLocalModeIsTheLocalCoresPerCoresPerRun(SparkSession spark) {
        int cores = spark.sparkContext().defaultParallelism();
        assertThat(Parallelism.auto().current(spark.sparkContext())).isEqualTo(cores);
        assertThat(Parallelism.auto().explain(spark.sparkContext())).isEqualTo("local mode (" + spark.sparkContext().master()
                + "): " + cores + " cores / 1 core per run = " + cores + " parallel runs");
        assertThat(Parallelism.auto().coresPerRun(100).current(spark.sparkContext())).isEqualTo(1);
        assertThat(Parallelism.auto().max(2).explain(spark.sparkContext())).endsWith(" (capped at 2)");
    }

    @Test
    void autoRunsAsManyAtOnceAsTheLocalCoresAndReportsWhatRan(SparkSession spark) {
        int cores = spark.sparkContext().defaultParallelism();
        CyclicBarrier allAtOnce = new CyclicBarrier(cores); // breaks (and the runs fail) unless `cores` runs are in flight together
        SparkJob job = ctx -> {
            allAtOnce.await(30, TimeUnit.SECONDS);
            return Long.toString(ctx.spark().range(10).count());
        };
        Fanout fanout = Fanout.builder(spark).parallelism(Parallelism.auto()).build();
        BatchResult r = fanout.forEach(job, ConcurrencyTest.items(2 * cores));

        assertThat(fanout.parallelism()).isEqualTo(Parallelism.auto());
        assertThat(r.succeeded()).as("%s", r.runs()).isTrue();
        assertThat(r.parallelism()).as("the most runs in flight at once").isEqualTo(cores);
    }
}
