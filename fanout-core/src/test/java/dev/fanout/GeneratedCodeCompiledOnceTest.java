package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.internal.spark.SparkCluster;
import dev.fanout.testing.SharedSpark;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.metrics.source.CodegenMetrics;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * In local mode a run's generated code is compiled once: the classes its thread compiles (Spark's check of each
 * whole-stage plan) are the ones its tasks run, not compiled again under the executor's class loader.
 */
@ExtendWith(SharedSpark.class)
class GeneratedCodeCompiledOnceTest {

    /** Janino compilations so far in this JVM (Spark counts each cache miss of its compiled-code cache). */
    private static long compilations() {
        return CodegenMetrics.METRIC_COMPILATION_TIME().getCount();
    }

    /** A query whose generated code no other test has: the literal is inlined into it. */
    private static long sumOf(SparkSession session, long factor) {
        List<Row> rows = session.range(0, 2000, 1, 2).selectExpr("id * " + factor + " + 7 AS v")
                .where("v % 3 = 1").groupBy().sum("v").collectAsList();
        return rows.get(0).getLong(0);
    }

    @Test
    void theTasksOfARunReuseTheClassesItsThreadCompiled(SparkSession spark) {
        long factor = 1_000_003L + (System.nanoTime() & 0xffff);
        AtomicReference<Long> inRun = new AtomicReference<>();
        long before = compilations();
        BatchResult result = Fanout.builder(spark).parallelism(1).build().forEach(ctx -> {
            inRun.set(sumOf(ctx.spark(), factor));
            return null;
        }, List.of(Map.of()));
        long inTheRun = compilations() - before;
        assertThat(result.succeeded()).isTrue();

        // The same query once more, from a thread that is not a run's: its driver side compiles again under this
        // thread's loader, its tasks find what the run's tasks compiled. So it compiles what the run's thread compiled,
        // and the run compiled nothing more: its tasks compiled nothing of their own.
        // (Before: the run compiled everything twice, and this query nothing.)
        SparkSession plain = SparkCluster.runSession(spark);
        long between = compilations();
        long again = sumOf(plain, factor);
        long onThisThread = compilations() - between;

        assertThat(again).isEqualTo(inRun.get());
        assertThat(inTheRun).as("compilations in the run").isPositive().isEqualTo(onThisThread);
    }

    @Test
    void aRunWhoseThreadHasItsOwnLoaderKeepsIt(SparkSession spark) throws Exception {
        // A loader the executor's does not descend from (a job jar loaded after Spark started, say): the run keeps it.
        ClassLoader own = new URLClassLoader(new URL[0], getClass().getClassLoader());
        AtomicReference<ClassLoader> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            Fanout.builder(spark).parallelism(1).build().forEach(ctx -> {
                seen.set(Thread.currentThread().getContextClassLoader());
                return null;
            }, List.of(Map.of()));
        });
        t.setContextClassLoader(own);
        t.start();
        t.join();
        assertThat(seen.get()).isSameAs(own);
    }
}
