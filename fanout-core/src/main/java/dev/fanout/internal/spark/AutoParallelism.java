package dev.fanout.internal.spark;

import java.util.function.IntSupplier;
import org.apache.spark.SparkContext;

/**
 * A parallelism that follows the cluster: runs = executors' cores / cores per run, or executors / executors per
 * run, read from an {@link ExecutorTracker} each time a run is about to start (pass it to
 * {@code Fanout.Builder.parallelismLimit}). In local mode the driver runs the tasks: runs = local cores / cores
 * per run. Never less than 1.
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
        return Math.max(1, raw());
    }

    private int raw() {
        if (tracker == null) {
            return sc.defaultParallelism() / Math.max(1, coresPerRun);
        }
        return coresPerRun > 0 ? tracker.totalCores() / coresPerRun : tracker.executors() / executorsPerRun;
    }

    /** The current value with its reasoning, e.g. {@code 2 executors x 1 core / 1 core per run = 2 parallel runs}. */
    public String explain() {
        int n = getAsInt();
        String runs = n + " parallel run" + (n == 1 ? "" : "s");
        String floor = raw() < 1 ? " (at least 1)" : "";
        if (tracker == null) {
            int per = Math.max(1, coresPerRun);
            return "local mode (" + sc.master() + "): " + plural(sc.defaultParallelism(), "core") + " / " + plural(per, "core")
                    + " per run = " + runs + floor;
        }
        int executors = tracker.executors();
        int cores = tracker.totalCores();
        String have = plural(executors, "executor") + " x "
                + (executors > 0 && cores % executors == 0 ? plural(cores / executors, "core") : cores + " cores in all");
        if (coresPerRun > 0) {
            return have + " / " + plural(coresPerRun, "core") + " per run = " + runs + floor;
        }
        return plural(executors, "executor") + " / " + plural(executorsPerRun, "executor") + " per run = " + runs + floor;
    }

    private static String plural(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
