package dev.fanout;

import dev.fanout.internal.engine.ClusterSizing;
import dev.fanout.internal.spark.SparkCluster;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkContext;

/**
 * How many runs a {@link Fanout} has in flight at once: a fixed number, or one that follows the live cluster.
 *
 * <pre>{@code
 * Parallelism.fixed(8)                          // always 8
 * Parallelism.auto()                            // executors x cores / 1 core per run, at most 64
 * Parallelism.auto().coresPerRun(2).max(32)     // runs that each keep 2 cores busy
 * Parallelism.auto().executorsPerRun(1)         // one run per executor
 * Parallelism.adaptive()                        // starts at the cluster's cores, then seeks the most runs/s
 * Parallelism.adaptive().min(2).max(32)         // ... never fewer than 2 nor more than 32
 * }</pre>
 *
 * <p>{@code auto()} is the seeds' formula (workers available / workers per job), evaluated before each run starts:
 * it counts the executors that registered before fanout existed (a notebook's long-running cluster) and follows
 * executors joining and leaving during a batch. Lowering it cancels nothing: runs in flight finish, and no new
 * one starts until fewer than the new value are running. In local mode the driver runs the tasks: {@code local[N]}
 * counts as N cores.
 *
 * <p>{@code adaptive()} starts where {@code auto()} would and then moves the limit while the batch runs, towards the
 * value that completes the most runs per second (docs/adaptive.md): it grows while throughput grows, probes
 * around the best value with a bias toward fewer runs, never grows while the driver's CPU or the task slots are
 * saturated, and holds still near a batch's end. Each change is reported to the listeners
 * ({@link FanoutListener#onParallelismChange}) with its reason.
 *
 * <p>{@link #spec()} and {@link #parse} turn a parallelism into text and back, as the history records it and the
 * command line's {@code --parallelism} accepts it.
 */
public abstract sealed class Parallelism permits Parallelism.Fixed, Parallelism.Auto, Parallelism.Adaptive {
    /** The most runs {@code auto()} allows unless told otherwise. */
    public static final int DEFAULT_MAX = 64;

    private Parallelism() {}

    /** Always {@code n} runs at once. */
    public static Parallelism fixed(int n) {
        return new Fixed(positive("parallelism", n));
    }

    /** From the live cluster: one core per run, at most {@value #DEFAULT_MAX} runs. */
    public static Auto auto() {
        return new Auto(1, 0, DEFAULT_MAX);
    }

    /**
     * Seeks the number of runs that completes the most runs per second while the batch runs, between 1 and
     * {@value #DEFAULT_MAX}; it starts at the cluster's cores (as {@link #auto()}).
     */
    public static Adaptive adaptive() {
        return new Adaptive(1, DEFAULT_MAX);
    }

    /** The most runs ever in flight at once: the number of slots (and FAIR pools) it needs. */
    public abstract int max();

    /** The runs allowed in flight now on {@code sc}, between 1 and {@link #max()}. */
    public abstract int current(SparkContext sc);

    /** The current value with its reasoning, e.g. {@code 2 executors x 1 core / 1 core per run = 2 parallel runs}. */
    public abstract String explain(SparkContext sc);

    /** Whether the value may change while a batch runs (it follows the cluster). */
    public abstract boolean dynamic();

    /** As text: {@code 8}, {@code auto}, {@code auto(coresPerRun=2,max=32)}; {@link #parse} reads it back. */
    public abstract String spec();

    @Override
    public String toString() {
        return spec();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parallelism p && p.spec().equals(spec());
    }

    @Override
    public int hashCode() {
        return spec().hashCode();
    }

    private static final Pattern AUTO = Pattern.compile("auto(?:\\((.*)\\))?", Pattern.CASE_INSENSITIVE);
    private static final Pattern ADAPTIVE = Pattern.compile("adaptive(?:\\((.*)\\)|:([0-9]*)\\.\\.([0-9]*))?",
            Pattern.CASE_INSENSITIVE);

    /**
     * Reads {@link #spec()}'s text: a positive number, {@code auto}, {@code auto(coresPerRun=N,executorsPerRun=N,max=N)}
     * with any of the three, {@code adaptive}, {@code adaptive(min=N,max=N)} or its short form {@code adaptive:MIN..MAX}
     * (either end may be left out: {@code adaptive:2..}, {@code adaptive:..16}).
     *
     * @throws IllegalArgumentException quoting the text when it is none of these
     */
    public static Parallelism parse(String text) {
        String s = Objects.requireNonNull(text, "text").trim();
        if (s.matches("[0-9]+")) {
            try {
                return fixed(Integer.parseInt(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("parallelism '" + text + "' is too large");
            }
        }
        Matcher a = ADAPTIVE.matcher(s);
        if (a.matches()) {
            return parseAdaptive(text, a);
        }
        Matcher m = AUTO.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("parallelism must be a number, 'auto' or 'adaptive', got '" + text + "'");
        }
        Auto auto = auto();
        if (m.group(1) != null && !m.group(1).isBlank()) {
            for (String part : m.group(1).split(",")) {
                String[] kv = part.split("=", 2);
                int n;
                try {
                    n = Integer.parseInt(kv.length == 2 ? kv[1].trim() : "");
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("parallelism '" + text + "': '" + part.trim() + "' is not name=number");
                }
                auto = switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                    case "coresperrun" -> auto.coresPerRun(n);
                    case "executorsperrun" -> auto.executorsPerRun(n);
                    case "max" -> auto.max(n);
                    default -> throw new IllegalArgumentException("parallelism '" + text + "': unknown setting '" + kv[0].trim()
                            + "' (coresPerRun, executorsPerRun, max)");
                };
            }
        }
        return auto;
    }

    private static Adaptive parseAdaptive(String text, Matcher m) {
        Integer min = null;
        Integer max = null;
        try {
            if (m.group(1) != null && !m.group(1).isBlank()) {
                for (String part : m.group(1).split(",")) {
                    String[] kv = part.split("=", 2);
                    int n;
                    try {
                        n = Integer.parseInt(kv.length == 2 ? kv[1].trim() : "");
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("parallelism '" + text + "': '" + part.trim() + "' is not name=number");
                    }
                    switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                        case "min" -> min = n;
                        case "max" -> max = n;
                        default -> throw new IllegalArgumentException("parallelism '" + text + "': unknown setting '"
                                + kv[0].trim() + "' (min, max)");
                    }
                }
            }
            if (m.group(2) != null && !m.group(2).isEmpty()) {
                min = Integer.parseInt(m.group(2));
            }
            if (m.group(3) != null && !m.group(3).isEmpty()) {
                max = Integer.parseInt(m.group(3));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parallelism '" + text + "' is too large");
        }
        try {
            int lo = min == null ? 1 : positive("min", min);
            int hi = max == null ? Math.max(DEFAULT_MAX, lo) : positive("max", max);
            return new Adaptive(lo, hi);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parallelism '" + text + "': " + e.getMessage());
        }
    }

    static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
        return value;
    }

    /** A fixed number of runs at once. */
    public static final class Fixed extends Parallelism {
        private final int n;

        private Fixed(int n) {
            this.n = n;
        }

        @Override
        public int max() {
            return n;
        }

        @Override
        public int current(SparkContext sc) {
            return n;
        }

        @Override
        public String explain(SparkContext sc) {
            return n + " parallel run" + (n == 1 ? "" : "s") + " (fixed)";
        }

        @Override
        public boolean dynamic() {
            return false;
        }

        @Override
        public String spec() {
            return Integer.toString(n);
        }
    }

    /** Runs from the live cluster: executors x cores / cores per run, or executors / executors per run, capped. */
    public static final class Auto extends Parallelism {
        private final int coresPerRun;
        private final int executorsPerRun;
        private final int max;

        private Auto(int coresPerRun, int executorsPerRun, int max) {
            this.coresPerRun = coresPerRun;
            this.executorsPerRun = executorsPerRun;
            this.max = max;
        }

        /** Executor cores each run keeps busy (default 1); replaces {@link #executorsPerRun}. */
        public Auto coresPerRun(int n) {
            return new Auto(positive("coresPerRun", n), 0, max);
        }

        /** Whole executors each run needs; replaces {@link #coresPerRun}. */
        public Auto executorsPerRun(int n) {
            return new Auto(0, positive("executorsPerRun", n), max);
        }

        /** Never more runs at once than this (default {@value Parallelism#DEFAULT_MAX}). */
        public Auto max(int n) {
            return new Auto(coresPerRun, executorsPerRun, positive("max", n));
        }

        /** Cores per run, 0 when sized by {@link #executorsPerRun()}. */
        public int coresPerRun() {
            return coresPerRun;
        }

        /** Executors per run, 0 when sized by {@link #coresPerRun()}. */
        public int executorsPerRun() {
            return executorsPerRun;
        }

        @Override
        public int max() {
            return max;
        }

        @Override
        public int current(SparkContext sc) {
            return ClusterSizing.limit(this, SparkCluster.capacityOf(sc));
        }

        @Override
        public String explain(SparkContext sc) {
            return ClusterSizing.explainLimit(this, SparkCluster.capacityOf(sc));
        }

        @Override
        public boolean dynamic() {
            return true;
        }

        @Override
        public String spec() {
            StringBuilder sb = new StringBuilder();
            if (executorsPerRun > 0) {
                sb.append("executorsPerRun=").append(executorsPerRun);
            } else if (coresPerRun != 1) {
                sb.append("coresPerRun=").append(coresPerRun);
            }
            if (max != DEFAULT_MAX) {
                sb.append(sb.length() == 0 ? "" : ",").append("max=").append(max);
            }
            return sb.length() == 0 ? "auto" : "auto(" + sb + ")";
        }
    }

    /**
     * A limit the engine moves while the batch runs, towards the most completed runs per second, between
     * {@link #min()} and {@link #max()}; {@link #current} is where it starts: the cluster's cores (as {@code auto()}).
     */
    public static final class Adaptive extends Parallelism {
        private final int min;
        private final int max;

        private Adaptive(int min, int max) {
            if (min > max) {
                throw new IllegalArgumentException("min " + min + " is above max " + max);
            }
            this.min = min;
            this.max = max;
        }

        /** Never fewer runs at once than this (default 1). */
        public Adaptive min(int n) {
            return new Adaptive(positive("min", n), Math.max(max, n));
        }

        /** Never more runs at once than this (default {@value Parallelism#DEFAULT_MAX}). */
        public Adaptive max(int n) {
            return new Adaptive(Math.min(min, positive("max", n)), n);
        }

        /** The fewest runs it ever allows. */
        public int min() {
            return min;
        }

        @Override
        public int max() {
            return max;
        }

        /** The value it starts at: the cluster's cores, one run per core, within {@code min..max}. */
        @Override
        public int current(SparkContext sc) {
            return ClusterSizing.limit(this, SparkCluster.capacityOf(sc));
        }

        @Override
        public String explain(SparkContext sc) {
            return "starts at " + ClusterSizing.explain(SparkCluster.capacityOf(sc), 1, 0)
                    + ", then follows the runs completed per second (" + min + ".." + max + ")";
        }

        @Override
        public boolean dynamic() {
            return true;
        }

        @Override
        public String spec() {
            if (min == 1 && max == DEFAULT_MAX) {
                return "adaptive";
            }
            StringBuilder sb = new StringBuilder();
            if (min != 1) {
                sb.append("min=").append(min);
            }
            if (max != DEFAULT_MAX) {
                sb.append(sb.length() == 0 ? "" : ",").append("max=").append(max);
            }
            return "adaptive(" + sb + ")";
        }
    }
}
