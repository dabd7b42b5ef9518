package dev.fanout.internal.spark;

import dev.fanout.internal.engine.ClusterSizing;
import java.util.function.IntSupplier;
import org.apache.spark.SparkContext;

/**
 * A parallelism that follows the cluster, read from {@code sc} each time it is asked: runs = executors' cores /
 * cores per run, or executors / executors per run ({@link ClusterSizing} has the arithmetic). In local mode the
 * driver runs the tasks: runs = local cores / cores per run. Never less than 1. {@code Parallelism.auto()} and the
 * command line's sizing read it.
 */
public final class AutoParallelism implements IntSupplier {
    private final SparkContext sc;
    private final ExecutorTracker tracker;
    private final int coresPerRun;
    private final int executorsPerRun;

    private AutoParallelism(SparkContext sc, int coresPerRun, int executorsPerRun) {
        if (coresPerRun < 0 || executorsPerRun < 0 || (coresPerRun == 0) == (executorsPerRun == 0)) {
            throw new IllegalArgumentException("give exactly one of cores per run and executors per run, at least 1");
        }
        this.sc = sc;
        this.tracker = sc.isLocal() ? null : ExecutorTracker.of(sc);
        this.coresPerRun = coresPerRun;
        this.executorsPerRun = executorsPerRun;
    }

    public static AutoParallelism coresPerRun(SparkContext sc, int cores) {
        return new AutoParallelism(sc, cores, 0);
    }

    public static AutoParallelism executorsPerRun(SparkContext sc, int executors) {
        return new AutoParallelism(sc, 0, executors);
    }

    /** The tracker it reads (null in local mode). */
    public ExecutorTracker tracker() {
        return tracker;
    }

    @Override
    public int getAsInt() {
        return ClusterSizing.runs(SparkCluster.capacityOf(sc), coresPerRun, executorsPerRun);
    }

    /** The current value with its reasoning, e.g. {@code 2 executors x 1 core / 1 core per run = 2 parallel runs}. */
    public String explain() {
        return ClusterSizing.explain(SparkCluster.capacityOf(sc), coresPerRun, executorsPerRun);
    }
}
