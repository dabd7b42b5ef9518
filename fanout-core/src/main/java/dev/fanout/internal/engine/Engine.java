package dev.fanout.internal.engine;

import dev.fanout.BatchResult;
import dev.fanout.FanoutListener;
import dev.fanout.Parallelism;
import dev.fanout.internal.spark.SparkCluster;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.apache.spark.sql.SparkSession;

/**
 * The engine of one {@code Fanout}: one budget of run slots ({@link Limiter}) and FAIR pools shared by everything
 * it runs at the same time, so two batches started from two threads together stay within the parallelism and
 * never use the same pool at the same moment. With a parallelism that follows the cluster, the limit is re-read
 * whenever the cluster reports a change of executors. With {@code Parallelism.adaptive()}, an
 * {@link AdaptiveController} sets the limit: the engine tells it of each run's start and end and of each change of
 * executors, and passes its decisions on to the listeners ({@code onParallelismChange}: the engine's, and each
 * running batch's own, such as the history recorder).
 *
 * <p>The cluster, the ticker and the random source for backoff jitter are injected ({@link #Engine(Cluster,
 * EngineSettings, Ticker, DoubleSupplier)}), so the dispatch, limit, retry and stop logic can run against a fake
 * cluster and a manual clock.
 */
public final class Engine {
    private final Cluster cluster;
    private final EngineSettings settings;
    private final Ticker ticker;
    private final DoubleSupplier random;
    private final Limiter limiter;
    private final Set<BatchRun> running = ConcurrentHashMap.newKeySet();
    private final Map<BatchRun, Listeners> batchListeners = new ConcurrentHashMap<>();
    private final AtomicInteger lastLimit = new AtomicInteger();
    private final AdaptiveController adaptive; // null unless Parallelism.adaptive()
    private final AtomicInteger adaptiveLimit = new AtomicInteger();
    private Runnable unwatch = () -> { };

    /** The engine on a Spark session, with the system ticker and random jitter. */
    public Engine(SparkSession spark, EngineSettings settings) {
        this(new SparkCluster(spark, BatchRun.GROUP_PREFIX), settings, Ticker.SYSTEM, () -> ThreadLocalRandom.current().nextDouble());
    }

    public Engine(Cluster cluster, EngineSettings settings, Ticker ticker, DoubleSupplier random) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.random = Objects.requireNonNull(random, "random");
        Parallelism p = settings.parallelism();
        if (p instanceof Parallelism.Adaptive a) {
            int cores = Runtime.getRuntime().availableProcessors();
            this.adaptive = new AdaptiveController(a.min(), a.max(), ClusterSizing.limit(p, cluster.capacity()),
                    ticker.nanoTime(), BatchRun::processCpuNanos, () -> cores, this::taskSlots, this::remaining,
                    Engine::machineCpu, cluster::taskNanos);
            adaptiveLimit.set(adaptive.limit());
            this.limiter = new Limiter(p.max(), adaptiveLimit::get, ticker, this::limitFull);
        } else {
            this.adaptive = null;
            this.limiter = new Limiter(p.max(), p.dynamic() ? () -> ClusterSizing.limit(p, cluster.capacity()) : p::max);
        }
        if (p.dynamic()) {
            lastLimit.set(limiter.limitNow());
            unwatch = cluster.watchCapacity(this::capacityChanged);
        } else {
            lastLimit.set(p.max());
        }
    }

    private void capacityChanged() {
        if (adaptive != null) {
            AdaptiveController.Decision d;
            synchronized (adaptive) {
                d = adaptive.capacityChanged(ticker.nanoTime());
            }
            apply(d);
            return;
        }
        limiter.refresh();
        int now = limiter.limitNow();
        int before = lastLimit.getAndSet(now);
        if (before != now) {
            FanoutListener.ParallelismChange change = new FanoutListener.ParallelismChange(before, now, explainLimit(),
                    settings.clock().instant());
            new Listeners(settings.listeners()).fire(l -> l.onParallelismChange(change));
        }
    }

    /** The driver machine's CPU use (all processes, 0..1) since the last call, NaN when the JVM does not tell. */
    private static double machineCpu() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getCpuLoad();
            return load < 0 ? Double.NaN : load;
        }
        return Double.NaN;
    }

    /** The cluster's task slots now (local mode: the driver's cores for tasks), 0 when it cannot tell. */
    private int taskSlots() {
        try {
            return cluster.capacity().taskSlots();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Items not yet started over every running batch; {@link Long#MAX_VALUE} when a batch does not know its size. */
    private long remaining() {
        long sum = 0;
        for (BatchRun b : running) {
            long r = b.remaining();
            if (r == Long.MAX_VALUE) {
                return r;
            }
            sum += r;
        }
        return sum;
    }

    /** What the engine tells the adaptive controller about each run: its start and its end. */
    private final RunObserver observer = new RunObserver() {
        @Override
        public long started() {
            synchronized (adaptive) {
                return adaptive.runStarted(ticker.nanoTime());
            }
        }

        @Override
        public void ended(long token, long startedAt, long taskMillis) {
            AdaptiveController.Decision d;
            synchronized (adaptive) {
                d = adaptive.runEnded(token, startedAt, ticker.nanoTime(), taskMillis);
            }
            apply(d);
        }
    };

    /**
     * A batch waits for a permit and every one is taken: the controller may grow the limit without waiting for the
     * runs to end (start-up, see {@link AdaptiveController#limitFull}); returns how long the waiter may wait before it
     * asks again (0: until a permit comes back).
     */
    private long limitFull() {
        AdaptiveController.Decision d;
        long next;
        synchronized (adaptive) {
            long now = ticker.nanoTime();
            d = adaptive.limitFull(now);
            next = adaptive.nextFullCheck(now);
        }
        apply(d);
        return next;
    }

    /** Moves the limit to the controller's decision and tells the engine's listeners and each running batch's own. */
    private void apply(AdaptiveController.Decision d) {
        if (d == null) {
            return;
        }
        adaptiveLimit.set(d.to());
        lastLimit.set(d.to());
        limiter.refresh();
        FanoutListener.ParallelismChange change = new FanoutListener.ParallelismChange(d.from(), d.to(), d.reason(),
                settings.clock().instant());
        new Listeners(settings.listeners()).fire(l -> l.onParallelismChange(change));
        batchListeners.values().forEach(l -> l.fire(x -> x.onParallelismChange(change)));
    }

    /** Runs one batch to its end and returns every item's outcome. Several batches may run at once. */
    public BatchResult run(BatchRequest request) {
        EngineSettings s = settings.withListeners(request.listeners()).withRun(request.timeout(), request.retry());
        BatchRun batch = new BatchRun(cluster, limiter, ticker, random, s, RunContext.typed(request.job(), request.types()),
                request.batchId(), request.items(),
                request.indexAt(), request.expected(), request.errors(), request.gate(),
                adaptive != null ? observer : RunObserver.NONE);
        running.add(batch);
        batchListeners.put(batch, new Listeners(request.listeners()));
        try {
            return batch.execute();
        } finally {
            running.remove(batch);
            batchListeners.remove(batch);
        }
    }

    /** Stops following the cluster's capacity (a {@code Fanout} that is closed). */
    public void close() {
        unwatch.run();
    }

    /** Stops every batch this engine is running: in-flight runs cancelled on the cluster, the rest skipped. */
    public void abort(String reason) {
        for (BatchRun b : running) {
            b.abort(reason);
        }
    }

    /** The configured parallelism. */
    public Parallelism parallelism() {
        return settings.parallelism();
    }

    /** The runs allowed in flight right now (over all batches), between 1 and {@code parallelism().max()}. */
    public int limitNow() {
        return limiter.limitNow();
    }

    /**
     * {@link #limitNow()} with its reasoning, e.g. {@code 2 executors x 1 core / 1 core per run = 2 parallel runs}
     * or {@code 8 parallel runs (fixed)}.
     */
    public String explainLimit() {
        Parallelism p = settings.parallelism();
        if (adaptive != null) {
            return "adaptive: " + limitNow() + " parallel runs now (" + ((Parallelism.Adaptive) p).min() + ".." + p.max() + ")";
        }
        return p.dynamic() ? ClusterSizing.explainLimit(p, cluster.capacity()) : ClusterSizing.explainLimit(p, null);
    }

    Limiter limiter() {
        return limiter;
    }

    /** Runs in flight right now, over all batches. */
    public int inFlight() {
        return limiter.inUse();
    }
}
