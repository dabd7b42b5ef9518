package dev.fanout.cli.bench;

import static dev.fanout.cli.bench.Median.median;

import static org.apache.spark.sql.functions.col;

import dev.fanout.BatchResult;
import dev.fanout.Fanout;
import dev.fanout.JobContext;
import dev.fanout.Parallelism;
import dev.fanout.RunResult;
import dev.fanout.SparkJob;
import io.delta.tables.DeltaTable;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.Schedulable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The seed's Figure 3 on fanout's own terms: the ways to run many small Spark jobs from one driver, each running the
 * same days of a day job (the demo's {@code DailyMetrics}), side by side in one Spark application.
 *
 * <ol>
 *   <li>{@link Pattern#SEQUENTIAL}: a loop on one thread (the seed's {@code foreach} of {@code dbutils.notebook.run});</li>
 *   <li>{@link Pattern#PARALLEL_COLLECTIONS}: Scala's {@code .par.foreach} in Java: a parallel stream on a fork/join pool
 *       of as many threads as the driver has cores, no pool set, so FIFO inside Spark's default pool;</li>
 *   <li>{@link Pattern#POOL_FIFO}: a fixed thread pool (8 by default), FIFO;</li>
 *   <li>{@link Pattern#POOL_FAIR}: the same pool, each thread setting {@code spark.scheduler.pool} to its own one of the
 *       session's FAIR pools (those {@code Fanout.sessionBuilder} configured): the seed's recipe;</li>
 *   <li>{@link Pattern#FANOUT_AUTO}: {@code Fanout.forEach} with {@code Parallelism.auto()}, no history.</li>
 * </ol>
 * The naive patterns call {@link SparkJob#run} directly with a minimal {@link JobContext}, each call on its own
 * {@code spark.newSession()}: every {@code dbutils.notebook.run} in the seed runs a notebook, which has a session of its
 * own on the shared SparkContext; fanout's runs get their own session too.
 *
 * <p><b>Measuring.</b> A warm-up (every pattern over the first few days, neither measured nor checked), then
 * rounds; each round runs every pattern once, the order rotated by one each round (round 1 starts with the sequential
 * loop, round 2 with the next, ...), so drift of a shared machine spreads over all patterns. Per pattern: medians of the
 * wall time and of the CPU time ({@link TaskCpu}: this JVM's process CPU, plus the task CPU of executors outside it).
 *
 * <p><b>Checking.</b> After each measured pattern, outside the measured time: every day that has rows must be in files
 * written by this pattern (none of the files the day had before it started: a day that was skipped is caught), and
 * the table's rows for the days must equal exactly (both {@code exceptAll}s empty) those the first sequential loop
 * wrote, read back by Delta time travel. A pattern with a failed run or other rows is an error.
 */
public final class PatternsBenchmark {
    /** The patterns, in the table's order. */
    public enum Pattern {
        SEQUENTIAL, PARALLEL_COLLECTIONS, POOL_FIFO, POOL_FAIR, FANOUT_AUTO
    }

    /** One measured run of one pattern; {@code error} null when the runs succeeded and the rows are right. */
    public record Measurement(double wallSeconds, double cpuSeconds, int threads, String error) {}

    /** A pattern's measurements over the rounds. */
    public record PatternResult(Pattern pattern, String name, String how, String scheduling, List<Measurement> runs) {
        public double medianWall() {
            return median(runs.stream().mapToDouble(Measurement::wallSeconds).toArray());
        }

        public double minWall() {
            return runs.stream().mapToDouble(Measurement::wallSeconds).min().orElse(Double.NaN);
        }

        public double maxWall() {
            return runs.stream().mapToDouble(Measurement::wallSeconds).max().orElse(Double.NaN);
        }

        public double medianCpu() {
            return median(runs.stream().mapToDouble(Measurement::cpuSeconds).toArray());
        }

        /** Threads (fanout: its parallelism) of the last run. */
        public int threads() {
            return runs.isEmpty() ? 0 : runs.get(runs.size() - 1).threads();
        }

        /** The first error of any round, or null. */
        public String error() {
            return runs.stream().map(Measurement::error).filter(e -> e != null).findFirst().orElse(null);
        }
    }

    /**
     * The whole comparison.
     *
     * @param taskSlots       the cores that run tasks: a local master's cores, or the executors' cores of a cluster
     * @param slotsExplained  how {@code taskSlots} was counted
     * @param limitSeconds    the CPU-bound limit: the sequential loop's median CPU-seconds / {@code taskSlots}
     */
    public record Result(String master, String job, String firstDay, String lastDay, int days, int rounds, int warmupDays,
                         int machineCores, int taskSlots, String slotsExplained, double limitSeconds, String sessions,
                         boolean executorCpuCounted, List<PatternResult> patterns) {
        public PatternResult of(Pattern p) {
            return patterns.stream().filter(r -> r.pattern() == p).findFirst().orElseThrow();
        }

        public double speedUp(PatternResult r) {
            return of(Pattern.SEQUENTIAL).medianWall() / r.medianWall();
        }

        public boolean allChecked() {
            return patterns.stream().allMatch(p -> p.error() == null);
        }
    }

    static final String POOL_PROPERTY = "spark.scheduler.pool";

    private final SparkSession spark;
    private final SparkJob job;
    private final List<Map<String, String>> items;
    private final List<String> days;
    private final String metricsTable;
    private final int rounds;
    private final int poolThreads;
    private final int warmupDays;
    private final PrintStream log;
    private final ClassLoader loader;
    private Long referenceVersion;

    /**
     * @param items        one parameter map per day, each with {@code day}
     * @param metricsTable the Delta table the job writes, partitioned by {@code flight_day} (checked after each pattern)
     * @param log          progress lines (one per measured pattern)
     */
    public PatternsBenchmark(SparkSession spark, SparkJob job, List<Map<String, String>> items, String metricsTable,
                             int rounds, int poolThreads, int warmupDays, PrintStream log) {
        this.spark = spark;
        this.job = job;
        this.items = List.copyOf(items);
        this.days = items.stream().map(i -> i.get("day")).toList();
        this.metricsTable = metricsTable;
        this.rounds = rounds;
        this.poolThreads = poolThreads;
        this.warmupDays = Math.min(warmupDays, items.size());
        this.log = log;
        this.loader = Thread.currentThread().getContextClassLoader();
    }

    /** The threads the parallel-collections pattern uses: the driver's cores, as Scala's default task support. */
    static int driverCores() {
        return Runtime.getRuntime().availableProcessors();
    }

    public Result run() throws InterruptedException {
        SparkContext sc = spark.sparkContext();
        List<String> pools = fairPools(sc);
        if (pools.size() < poolThreads) {
            throw new IllegalStateException("the session has " + pools.size() + " FAIR pools, the FAIR pattern needs "
                    + poolThreads + " (start it with Fanout.sessionBuilder(slots >= " + poolThreads + ", ...))");
        }
        if (!"FAIR".equalsIgnoreCase(sc.getConf().get("spark.scheduler.mode", "FIFO"))) {
            log.println("fanout bench patterns: warning: spark.scheduler.mode is not FAIR: Spark ignores the pools of the"
                    + " FAIR patterns");
        }
        List<PatternResult> results = new ArrayList<>();
        for (Pattern p : Pattern.values()) {
            results.add(new PatternResult(p, name(p), how(p), scheduling(p), new ArrayList<>()));
        }
        try (TaskCpu cpu = TaskCpu.register(sc)) {
            if (warmupDays > 0) {
                long t0 = System.nanoTime();
                String error = null;
                for (Pattern p : Pattern.values()) {
                    String e = runPattern(p, items.subList(0, warmupDays), pools, new AtomicInteger());
                    error = error != null ? error : e == null ? null : name(p) + ": " + e;
                }
                log.printf(Locale.ROOT, "warm-up: every pattern over the first %d day(s) in %.1fs%s%n", warmupDays,
                        (System.nanoTime() - t0) / 1e9, error == null ? "" : "; " + error);
            }
            Pattern[] all = Pattern.values();
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < all.length; k++) {
                    Pattern p = all[(round + k) % all.length];
                    Measurement m = measure(p, pools, cpu);
                    results.get(p.ordinal()).runs().add(m);
                    log.printf(Locale.ROOT, "round %d/%d: %-22s wall %7.1fs  CPU %7.1fs  %d thread(s)  %s%n", round + 1, rounds,
                            name(p), m.wallSeconds(), m.cpuSeconds(), m.threads(), m.error() == null ? "rows checked" : "ERROR: " + m.error());
                }
            }
        }
        Parallelism.Auto slots = Parallelism.auto().max(1 << 16);
        int taskSlots = Math.max(1, slots.current(sc));
        double limit = results.get(Pattern.SEQUENTIAL.ordinal()).medianCpu() / taskSlots;
        return new Result(sc.master(), job.name(), days.get(0), days.get(days.size() - 1), days.size(), rounds, warmupDays,
                driverCores(), taskSlots, slots.explain(sc), limit,
                "each naive call on its own spark.newSession() (as each notebook run has its own session); fanout: a session per run",
                !sc.isLocal(), results);
    }

    static String name(Pattern p) {
        return switch (p) {
            case SEQUENTIAL -> "sequential";
            case PARALLEL_COLLECTIONS -> "parallel collections";
            case POOL_FIFO -> "fixed pool, FIFO";
            case POOL_FAIR -> "fixed pool, FAIR pools";
            case FANOUT_AUTO -> "fanout auto";
        };
    }

    private String how(Pattern p) {
        return switch (p) {
            case SEQUENTIAL -> "a loop on the main thread";
            case PARALLEL_COLLECTIONS -> "a parallel stream on a fork/join pool of the driver's " + driverCores() + " cores";
            case POOL_FIFO -> "Executors.newFixedThreadPool(" + poolThreads + ")";
            case POOL_FAIR -> "Executors.newFixedThreadPool(" + poolThreads + "), spark.scheduler.pool per thread";
            case FANOUT_AUTO -> "Fanout.forEach, Parallelism.auto(), no history";
        };
    }

    private static String scheduling(Pattern p) {
        return switch (p) {
            case SEQUENTIAL, PARALLEL_COLLECTIONS, POOL_FIFO -> "FIFO (default pool)";
            case POOL_FAIR -> "FAIR, a pool per thread";
            case FANOUT_AUTO -> "FAIR, a pool per slot";
        };
    }

    /** The session's FAIR pools other than Spark's {@code default}, in their slot order. */
    static List<String> fairPools(SparkContext sc) {
        List<String> names = new ArrayList<>();
        for (Schedulable s : scala.jdk.javaapi.CollectionConverters.asJava(sc.getAllPools())) {
            if (!"default".equals(s.name())) {
                names.add(s.name());
            }
        }
        names.sort(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));
        return names;
    }

    private Measurement measure(Pattern p, List<String> pools, TaskCpu cpu) throws InterruptedException {
        long before = version();
        long exec0 = cpu.executorCpuNanos();
        AtomicInteger threads = new AtomicInteger();
        long cpu0 = TaskCpu.processCpuNanos();
        long t0 = System.nanoTime();
        String error = runPattern(p, items, pools, threads);
        long wall = System.nanoTime() - t0;
        long cpuNanos = TaskCpu.processCpuNanos() - cpu0 + cpu.executorCpuNanos() - exec0;
        if (error == null) {
            error = check(p, before);
        }
        return new Measurement(wall / 1e9, cpuNanos / 1e9, threads.get(), error);
    }

    /** Runs {@code days} with pattern {@code p}; returns null when every run succeeded, else what failed. */
    private String runPattern(Pattern p, List<Map<String, String>> days, List<String> pools, AtomicInteger threads)
            throws InterruptedException {
        Failures failures = new Failures();
        switch (p) {
            case SEQUENTIAL -> {
                threads.set(1);
                for (Map<String, String> day : days) {
                    call(day, failures);
                }
            }
            case PARALLEL_COLLECTIONS -> {
                int n = driverCores();
                threads.set(n);
                ForkJoinPool pool = new ForkJoinPool(n, fj -> {
                    ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(fj);
                    t.setContextClassLoader(loader);
                    return t;
                }, null, false);
                try {
                    pool.submit(() -> days.parallelStream().forEach(day -> {
                        spark.sparkContext().setLocalProperty(POOL_PROPERTY, null); // no pool: Spark's default one
                        call(day, failures);
                    })).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                } finally {
                    pool.shutdown();
                }
            }
            case POOL_FIFO, POOL_FAIR -> {
                threads.set(poolThreads);
                AtomicInteger next = new AtomicInteger();
                ThreadFactory factory = r -> {
                    String pool = p == Pattern.POOL_FAIR ? pools.get(next.getAndIncrement() % poolThreads) : null;
                    Thread t = new Thread(() -> {
                        spark.sparkContext().setLocalProperty(POOL_PROPERTY, pool); // null: Spark's default pool
                        r.run();
                    }, "bench-" + (pool == null ? "fifo" : pool));
                    t.setContextClassLoader(loader);
                    t.setDaemon(true);
                    return t;
                };
                ExecutorService pool = Executors.newFixedThreadPool(poolThreads, factory);
                try {
                    List<Future<?>> futures = new ArrayList<>();
                    for (Map<String, String> day : days) {
                        futures.add(pool.submit(() -> call(day, failures)));
                    }
                    for (Future<?> f : futures) {
                        try {
                            f.get();
                        } catch (java.util.concurrent.ExecutionException e) {
                            failures.add(e.getCause());
                        }
                    }
                } finally {
                    pool.shutdown();
                }
            }
            case FANOUT_AUTO -> {
                try (Fanout fanout = Fanout.builder(spark).parallelism(Parallelism.auto()).build()) {
                    BatchResult r = fanout.forEach(job, days);
                    threads.set(r.parallelism());
                    for (RunResult run : r.runs()) {
                        if (run.outcome().isFailure() || run.error() != null) {
                            failures.add(run.params().get("day") + " " + run.outcome()
                                    + (run.error() == null ? "" : ": " + run.error().firstLine()));
                        }
                    }
                    if (!r.succeeded() && failures.count.get() == 0) {
                        failures.add("the batch did not succeed: " + r.counts());
                    }
                }
            }
        }
        return failures.count.get() == 0 ? null : failures.count.get() + " of " + days.size() + " run(s) failed: " + failures.first.get();
    }

    /** One naive call: the job's own {@code run}, on a new session, with the minimal context it needs. */
    private void call(Map<String, String> params, Failures failures) {
        SparkSession session = spark.newSession();
        JobContext context = new JobContext() {
            @Override
            public SparkSession spark() {
                return session;
            }

            @Override
            public Map<String, String> params() {
                return params;
            }

            @Override
            public String runId() {
                return "bench-" + params.get("day");
            }

            @Override
            public int attempt() {
                return 1;
            }
        };
        try {
            job.run(context);
        } catch (Exception | LinkageError e) {
            failures.add(params.get("day") + ": " + e);
        }
    }

    /** The first failure and how many. */
    private static final class Failures {
        final AtomicInteger count = new AtomicInteger();
        final AtomicReference<String> first = new AtomicReference<>();

        void add(Throwable t) {
            add(String.valueOf(t));
        }

        void add(String what) {
            count.incrementAndGet();
            first.compareAndSet(null, what.lines().findFirst().orElse(what));
        }
    }

    // ---- checking ----

    private long version() {
        return DeltaTable.forPath(spark, metricsTable).history(1).select("version").head().getLong(0);
    }

    private Dataset<Row> rows(Long version) {
        var reader = spark.read().format("delta");
        if (version != null) {
            reader = reader.option("versionAsOf", version);
        }
        return reader.load(metricsTable).where(col("flight_day").cast("string").isin(days.toArray()));
    }

    private Set<String> files(long version) {
        Set<String> files = new HashSet<>();
        for (Row r : rows(version).select("_metadata.file_path").distinct().collectAsList()) {
            files.add(r.getString(0));
        }
        return files;
    }

    /** Null when every day was written by this pattern and the rows equal the reference's; else what is wrong. */
    private String check(Pattern p, long before) {
        long now = version();
        Set<String> stale = files(before);
        stale.retainAll(files(now));
        if (!stale.isEmpty()) {
            return stale.size() + " file(s) of the days were not rewritten by this pattern, e.g. " + stale.iterator().next();
        }
        if (referenceVersion == null) {
            if (p != Pattern.SEQUENTIAL) {
                return "no reference: the first sequential loop failed";
            }
            referenceVersion = now;
            return null;
        }
        Dataset<Row> current = rows(null);
        Dataset<Row> reference = rows(referenceVersion);
        long missing = reference.exceptAll(current).count();
        long extra = current.exceptAll(reference).count();
        if (missing != 0 || extra != 0) {
            return "the rows differ from the sequential loop's (table version " + referenceVersion + "): " + missing
                    + " missing, " + extra + " other";
        }
        return null;
    }
}
