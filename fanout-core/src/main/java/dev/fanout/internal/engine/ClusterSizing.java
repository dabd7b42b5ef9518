package dev.fanout.internal.engine;

import dev.fanout.Parallelism;

/**
 * The arithmetic of a parallelism that follows the cluster, kept apart from Spark so it is tested on its own:
 * runs = executors' cores / cores per run, or executors / executors per run; in local mode the driver runs the
 * tasks, so runs = local cores / cores per run (executors per run counts as 1 core). Never less than 1, never more
 * than the parallelism's maximum.
 */
public final class ClusterSizing {
    private ClusterSizing() {}

    /** The runs the cluster has room for, at least 1 (no cap). */
    public static int runs(Cluster.Capacity c, int coresPerRun, int executorsPerRun) {
        return Math.max(1, raw(c, coresPerRun, executorsPerRun));
    }

    private static int raw(Cluster.Capacity c, int coresPerRun, int executorsPerRun) {
        if (c.local()) {
            return c.localCores() / Math.max(1, coresPerRun);
        }
        return coresPerRun > 0 ? c.totalCores() / coresPerRun : c.executors() / Math.max(1, executorsPerRun);
    }

    /** {@link #runs} with its reasoning, e.g. {@code 2 executors x 1 core / 1 core per run = 2 parallel runs}. */
    public static String explain(Cluster.Capacity c, int coresPerRun, int executorsPerRun) {
        int n = runs(c, coresPerRun, executorsPerRun);
        String runs = plural(n, "parallel run");
        String floor = raw(c, coresPerRun, executorsPerRun) < 1 ? " (at least 1)" : "";
        if (c.local()) {
            return "local mode (" + c.master() + "): " + plural(c.localCores(), "core") + " / "
                    + plural(Math.max(1, coresPerRun), "core") + " per run = " + runs + floor;
        }
        int executors = c.executors();
        int cores = c.totalCores();
        if (coresPerRun > 0) {
            String have = plural(executors, "executor") + " x "
                    + (executors > 0 && cores % executors == 0 ? plural(cores / executors, "core") : cores + " cores in all");
            return have + " / " + plural(coresPerRun, "core") + " per run = " + runs + floor;
        }
        return plural(executors, "executor") + " / " + plural(executorsPerRun, "executor") + " per run = " + runs + floor;
    }

    /** The runs {@code p} allows on a cluster of this size: between 1 and {@code p.max()}. */
    public static int limit(Parallelism p, Cluster.Capacity c) {
        if (p instanceof Parallelism.Auto a) {
            return Math.min(a.max(), runs(c, a.coresPerRun(), a.executorsPerRun()));
        }
        if (p instanceof Parallelism.Adaptive a) { // where it starts: one run per core
            return Math.max(a.min(), Math.min(a.max(), runs(c, 1, 0)));
        }
        return p.max();
    }

    /** {@link #limit} with its reasoning, as {@code Parallelism.explain} words it. */
    public static String explainLimit(Parallelism p, Cluster.Capacity c) {
        if (p instanceof Parallelism.Auto a) {
            return explain(c, a.coresPerRun(), a.executorsPerRun())
                    + (runs(c, a.coresPerRun(), a.executorsPerRun()) > a.max() ? " (capped at " + a.max() + ")" : "");
        }
        if (p instanceof Parallelism.Adaptive a) {
            return "adaptive " + a.min() + ".." + a.max() + ", starting at " + explain(c, 1, 0);
        }
        return plural(p.max(), "parallel run") + " (fixed)";
    }

    static String plural(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
