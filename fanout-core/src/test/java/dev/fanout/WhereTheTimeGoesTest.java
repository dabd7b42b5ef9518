package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.fanout.history.Execution;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.report.Reports;
import dev.fanout.testing.SharedSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.spark.api.java.function.ForeachFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a run's time goes, measured on real local Spark ({@code local[4]} on this machine's cores): driver CPU of the
 * run's own thread, executor CPU and task time, waiting for cores; per batch the process CPU and the driver-bound hint.
 * Only generous inequalities: the machine is shared and noisy.
 */
@ExtendWith(SharedSpark.class)
class WhereTheTimeGoesTest {
    private static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    /** Sleeps on the driver: no CPU, no Spark job. */
    static final SparkJob SLEEP = ctx -> {
        Thread.sleep(ctx.get("ms", ParamType.LONG));
        return null;
    };

    /**
     * Analyses and optimizes a wide expression tree {@code rounds} times (driver work only), then runs one trivial
     * job of one task.
     */
    static final SparkJob PLAN = ctx -> {
        int rounds = ctx.get("rounds", ParamType.INT);
        long sum = 0;
        for (int r = 0; r < rounds; r++) {
            Column[] columns = new Column[60];
            for (int i = 0; i < columns.length; i++) {
                Column c = functions.col("id").plus(r);
                for (int k = 0; k < 10; k++) {
                    c = functions.when(functions.col("id").gt(i + k), c.multiply(k + 1)).otherwise(functions.col("id").minus(k));
                }
                columns[i] = c.as("c" + i);
            }
            sum += ctx.spark().range(0, 1, 1, 1).select(columns).queryExecution().optimizedPlan().treeString().length();
        }
        return Long.toString(ctx.spark().range(0, 1, 1, 1).count() + sum);
    };

    /** {@code tasks} tasks, each spinning until its own thread has used {@code ms} of CPU. */
    static final SparkJob SPIN = ctx -> {
        long ms = ctx.get("ms", ParamType.LONG);
        int tasks = ctx.get("tasks", ParamType.INT);
        ctx.spark().range(0, tasks, 1, tasks).foreach((ForeachFunction<Long>) x -> spinCpu(ms));
        return null;
    };

    /** Spins until the calling thread has used {@code ms} of CPU; returns {CPU, wall} it took, in ns. */
    static long[] spinCpu(long ms) {
        var threads = ManagementFactory.getThreadMXBean();
        long wall0 = System.nanoTime();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long x = 0;
        while (threads.getCurrentThreadCpuTime() < cpu0 + ms * MS) {
            for (int i = 0; i < 10_000; i++) {
                x += i ^ (x << 1);
            }
        }
        long[] took = {threads.getCurrentThreadCpuTime() - cpu0, System.nanoTime() - wall0};
        return x == 42 ? new long[2] : took;
    }

    @Test
    void aRunThatOnlySleepsOnTheDriverUsesAlmostNoDriverCpu(SparkSession spark) {
        BatchResult r = Fanout.builder(spark).parallelism(1).build().forEach(SLEEP, List.of(Map.of("ms", "1500")));
        SparkMetrics m = r.runs().get(0).metrics();
        assertThat(r.runs().get(0).duration().toMillis()).isGreaterThanOrEqualTo(1500);
        assertThat(m.driverCpuNanos()).as("driver CPU of a sleeping run").isLessThan(300 * MS);
        assertThat(m.tasks()).isZero();
        assertThat(m.cpuTimeNanos()).isZero();
        assertThat(m.waitNanos()).isZero();
    }

    @Test
    void aRunThatPlansALargeQueryUsesDriverCpuAndLittleExecutorCpu(SparkSession spark) {
        BatchResult r = Fanout.builder(spark).parallelism(1).build().forEach(PLAN, List.of(Map.of("rounds", "3")));
        assertThat(r.succeeded()).as(String.valueOf(r.runs().get(0).error())).isTrue();
        SparkMetrics m = r.runs().get(0).metrics();
        assertThat(m.driverCpuNanos()).as("planning on the run's thread").isGreaterThan(50 * MS);
        assertThat(m.driverCpuNanos()).as("a thread's CPU within its wall time")
                .isLessThanOrEqualTo(r.runs().get(0).duration().toNanos() + 20 * MS);
        assertThat(m.tasks()).isEqualTo(1);
        assertThat(m.cpuTimeNanos()).as("one trivial task").isLessThan(m.driverCpuNanos());
    }

    @Test
    void aRunWhoseTasksSpinHasExecutorCpuCloseToItsTaskTime(SparkSession spark) {
        // The oracle: each task measures the CPU and the wall time its own spinning took (on a loaded machine a spinning
        // thread is not on a core all the time, so the figures are compared with what the tasks saw, not with 100 %).
        LongAccumulator taskCpu = spark.sparkContext().longAccumulator("spin-cpu");
        LongAccumulator taskWall = spark.sparkContext().longAccumulator("spin-wall");
        SparkJob job = ctx -> {
            ctx.spark().range(0, 2, 1, 2).foreach((ForeachFunction<Long>) x -> {
                long[] took = spinCpu(400);
                taskCpu.add(took[0]);
                taskWall.add(took[1]);
            });
            return null;
        };
        BatchResult r = Fanout.builder(spark).parallelism(1).build().forEach(job, List.of(Map.of()));
        SparkMetrics m = r.runs().get(0).metrics();
        assertThat(r.succeeded()).isTrue();
        assertThat(m.tasks()).isEqualTo(2);
        assertThat(taskCpu.value()).isGreaterThanOrEqualTo(2 * 400 * MS);
        assertThat(m.cpuTimeNanos()).as("executor CPU covers the tasks' spinning").isGreaterThanOrEqualTo(taskCpu.value());
        assertThat(m.cpuTimeNanos()).as("and not much else").isLessThan(taskCpu.value() * 3 / 2 + 200 * MS);
        assertThat(m.taskTimeMillis() * MS).as("task time covers the tasks' wall time").isGreaterThanOrEqualTo(taskWall.value());
        assertThat(m.cpuTimeNanos()).as("CPU within the task time").isLessThanOrEqualTo(m.taskTimeMillis() * MS * 105 / 100 + 20 * MS);
        // executor CPU / task time is what the tasks saw of CPU / wall (1 on an idle machine), within a factor 2
        double seen = (double) taskCpu.value() / taskWall.value();
        double reported = (double) m.cpuTimeNanos() / (m.taskTimeMillis() * MS);
        assertThat(reported).as("executor CPU / task time, tasks saw %.2f", seen).isBetween(seen / 2, Math.min(1.05, seen * 2));
    }

    @Test
    void aRunWhoseTaskFindsEveryCoreTakenWaitsForCores(SparkSession spark) throws Exception {
        // Run 0 fills all the slots for 1.5 s; run 1 submits its one task once they run, and gets a core only when one
        // of run 0's tasks ends (no preemption): it waits about 1.5 s, run 0 hardly at all.
        int slots = spark.sparkContext().defaultParallelism();
        HOG_RUNNING.set(new CountDownLatch(slots));
        SparkJob job = ctx -> {
            if (ctx.params().get("role").equals("hog")) {
                ctx.spark().range(0, slots, 1, slots).foreach((ForeachFunction<Long>) x -> {
                    HOG_RUNNING.get().countDown();
                    Thread.sleep(1500);
                });
            } else {
                if (!HOG_RUNNING.get().await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the hog's tasks did not start");
                }
                ctx.spark().range(0, 1, 1, 1).foreach((ForeachFunction<Long>) x -> { });
            }
            return null;
        };
        BatchResult r = Fanout.builder(spark).parallelism(2).build()
                .forEach(job, List.of(Map.of("role", "hog"), Map.of("role", "late")));
        assertThat(r.succeeded()).as(String.valueOf(r.runs())).isTrue();
        SparkMetrics hog = r.runs().get(0).metrics();
        SparkMetrics late = r.runs().get(1).metrics();
        assertThat(late.waitNanos()).as("the late run waited for a core").isGreaterThan(500 * MS);
        assertThat(late.waitNanos()).as("no longer than it ran").isLessThan(r.runs().get(1).duration().toNanos());
        assertThat(hog.waitNanos()).as("the first run found its cores free").isLessThan(late.waitNanos() / 2);
        assertThat(r.cost().waitNanos()).isEqualTo(hog.waitNanos() + late.waitNanos());
    }

    /** Counted down by the hog's tasks (local mode: the tasks run in this JVM). */
    static final AtomicReference<CountDownLatch> HOG_RUNNING = new AtomicReference<>();

    @Test
    void theBatchFiguresAddUpAndAreRecordedInTheHistory(SparkSession spark) {
        List<Map<String, String>> items = List.of(Map.of("rounds", "2"), Map.of("rounds", "1"), Map.of("rounds", "1"));
        BatchResult r;
        try (HistoryStore store = HistoryStore.sqlite(dir.resolve("h.db"))) {
            r = Fanout.builder(spark).parallelism(2).history(store).build().forEach(PLAN, items);
            BatchCost c = r.cost();
            SparkMetrics sum = r.runs().stream().map(RunResult::metrics).reduce(SparkMetrics.ZERO, SparkMetrics::plus);
            assertThat(c.measured()).isTrue();
            assertThat(c.local()).isTrue();
            assertThat(c.taskSlots()).isEqualTo(spark.sparkContext().defaultParallelism());
            assertThat(c.driverCores()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(c.driverCpuNanos()).isEqualTo(sum.driverCpuNanos()).isPositive();
            assertThat(c.executorCpuNanos()).isEqualTo(sum.cpuTimeNanos());
            assertThat(c.taskTimeMillis()).isEqualTo(sum.taskTimeMillis());
            assertThat(c.wallNanos()).isBetween(r.duration().toNanos() - 50 * MS, r.duration().toNanos() + 50 * MS);
            // local mode: the runs' threads and the executors' task threads are all in this process
            assertThat(c.processCpuNanos()).as("process CPU covers the runs' driver and executor CPU")
                    .isGreaterThanOrEqualTo((c.driverCpuNanos() + c.executorCpuNanos()) * 9 / 10);
            assertThat(c.driverSideCpuNanos()).isEqualTo(c.processCpuNanos() - c.executorCpuNanos());
            assertThat(c.driverShare()).isBetween(0.0, 1.0);
            assertThat(c.clusterUtilisation()).isBetween(0.0, 1.0);

            Execution e = store.require(r.batchId()).executions().get(0);
            assertThat(e.cost()).isEqualTo(c);
            List<ItemRecord> recorded = store.items(r.batchId());
            for (int i = 0; i < items.size(); i++) {
                assertThat(recorded.get(i).run().metrics()).isEqualTo(r.runs().get(i).metrics());
            }
        }
    }

    @Test
    void theSummaryHintsAtADriverBoundBatch(SparkSession spark) {
        // Runs that only plan, 3 at a time on this machine's cores, with one trivial task each.
        List<Map<String, String>> items = IntStream.range(0, 6).mapToObj(i -> Map.of("rounds", "3")).toList();
        BatchResult r = Fanout.builder(spark).parallelism(3).build().forEach(PLAN, items);
        assertThat(r.succeeded()).isTrue();
        String summary = summary(r);
        BatchCost c = r.cost();
        assertThat(summary).contains("where the time went: driver ");
        assertThat(c.driverShare()).as("nearly all the CPU on the driver: " + summary).isGreaterThan(0.8);
        assertThat(c.clusterUtilisation()).isLessThan(BatchCost.CLUSTER_IDLE);
        // Whether the driver's cores were busy also depends on what the other processes of a shared machine left to this
        // one: the hint is only checked when this JVM got at least the rule's share of the cores.
        assumeThat((double) c.processCpuNanos() / ((double) c.driverCores() * c.wallNanos()))
                .as("this JVM's share of the machine's cores during the batch").isGreaterThanOrEqualTo(BatchCost.DRIVER_BUSY + 0.05);
        assertThat(c.driverBound()).as(summary).isTrue();
        assertThat(summary).containsPattern("driver-bound: driver busy \\d+% of \\d+ core\\(s\\) while executors were \\d+% busy:"
                + " fewer, larger runs or less planning per run will help, more parallelism will not");
    }

    @Test
    void theSummaryDoesNotHintAtAnExecutorBoundBatch(SparkSession spark) {
        // Every slot spinning on CPU, the driver only submitting.
        List<Map<String, String>> items = IntStream.range(0, 4).mapToObj(i -> Map.of("ms", "500", "tasks", "2")).toList();
        BatchResult r = Fanout.builder(spark).parallelism(2).build().forEach(SPIN, items);
        assertThat(r.succeeded()).isTrue();
        String summary = summary(r);
        assertThat(summary).contains("where the time went: driver ");
        assertThat(r.cost().clusterUtilisation()).as(summary).isGreaterThan(BatchCost.CLUSTER_IDLE);
        assertThat(r.cost().driverBound()).isFalse();
        assertThat(summary).doesNotContain("driver-bound");
    }

    private static String summary(BatchResult r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Reports.summary(r, new PrintStream(bytes, true, StandardCharsets.UTF_8), null);
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        return text;
    }
}
