package dev.fanout.internal.spark;

import dev.fanout.internal.engine.Cluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.status.api.v1.ExecutorSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The executors of the live cluster and their cores, as executors come and go.
 *
 * <h2>Why a listener</h2>
 * {@code statusTracker().getExecutorInfos()} includes the driver and has no core counts; only the
 * {@code SparkListenerExecutorAdded/Removed} events carry {@code totalCores}. To see the executors that register
 * while the context starts, register this class through {@code spark.extraListeners} ({@link #CONF};
 * {@code Fanout.sessionBuilder} does); Spark then builds it before any event. {@link #of} finds that instance.
 *
 * <h2>A tracker that comes late</h2>
 * On a context that is already running (a notebook's long-lived cluster) {@link #of} adds a new listener, which
 * would never hear of the executors registered before it: {@code auto()} would see 0 cores and run one item at a
 * time. So a late tracker is first added to the listener bus (nothing that happens from then on is missed), then
 * seeded from the live cluster ({@link #liveExecutors}): the scheduler backend's executor ids
 * ({@code getExecutorIds}, {@code private[spark]} in Scala, public in bytecode), each with its cores from the status
 * store (the executor summaries Spark's own UI shows), else {@code spark.executor.cores}, else the backend's default
 * parallelism shared out ({@link #coresPerExecutor}). An executor whose removal the tracker already saw is not
 * brought back by a stale seed.
 *
 * <p>In local mode there are no executors: the driver runs the tasks ({@code "driver"} is not counted here).
 */
public final class ExecutorTracker extends SparkListener {
    /** Add this class name to {@code spark.extraListeners} before the context starts. */
    public static final String CONF = "spark.extraListeners";
    private static final CopyOnWriteArrayList<ExecutorTracker> REGISTERED = new CopyOnWriteArrayList<>();

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorTracker.class);

    private final Map<String, Integer> cores = new LinkedHashMap<>();
    private final Set<String> removed = new HashSet<>();
    private final CopyOnWriteArrayList<Consumer<ExecutorTracker>> watchers = new CopyOnWriteArrayList<>();
    private SparkContext context;

    /** Called by Spark for {@code spark.extraListeners}. */
    public ExecutorTracker(SparkConf conf) {
        REGISTERED.add(this);
    }

    /** A tracker that is not registered through {@code spark.extraListeners} (late, or in tests). */
    ExecutorTracker() {
    }

    /** The tracker of {@code sc}: the one Spark built from {@code spark.extraListeners}, else a new one added now. */
    public static synchronized ExecutorTracker of(SparkContext sc) {
        for (ExecutorTracker t : REGISTERED) {
            if (t.context == sc) {
                return t;
            }
        }
        // Spark builds extra listeners while the context starts, before we can know which context they belong to:
        // the first unclaimed one registered by a live context is this context's (one SparkContext per JVM).
        for (ExecutorTracker t : REGISTERED) {
            if (t.context == null || t.context.isStopped()) {
                if (sc.listenerBus() != null && listenerOf(sc, t)) {
                    t.context = sc;
                    return t;
                }
            }
        }
        ExecutorTracker t = new ExecutorTracker();
        t.context = sc;
        sc.addSparkListener(t); // first listen, then seed: nothing in between is missed
        t.seed(liveExecutors(sc));
        return t;
    }

    /**
     * The executors registered with {@code sc} now, with their cores (empty in local mode): the scheduler
     * backend's ids, cores from the status store, else from {@link #coresPerExecutor}.
     */
    static Map<String, Integer> liveExecutors(SparkContext sc) {
        if (sc.isLocal()) {
            return Map.of();
        }
        Map<String, Integer> known = new HashMap<>();
        try {
            for (ExecutorSummary e : CollectionConverters.asJava(sc.statusStore().executorList(true))) {
                if (!"driver".equals(e.id())) {
                    known.put(e.id(), e.totalCores());
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("cannot read the executors from the status store: {}", e.toString());
        }
        List<String> ids;
        try {
            ids = new ArrayList<>(CollectionConverters.asJava(sc.getExecutorIds()));
        } catch (RuntimeException e) {
            LOG.debug("cannot read the executor ids from the scheduler backend: {}", e.toString());
            ids = new ArrayList<>(known.keySet());
        }
        ids.remove("driver");
        Integer executorCores = sc.conf().contains("spark.executor.cores") ? sc.conf().getInt("spark.executor.cores", 0) : null;
        int fallback = coresPerExecutor(executorCores, sc.defaultParallelism(), sc.conf().contains("spark.default.parallelism"),
                ids.size());
        Map<String, Integer> live = new LinkedHashMap<>();
        for (String id : ids) {
            Integer c = known.get(id);
            live.put(id, c != null && c > 0 ? c : fallback);
        }
        return live;
    }

    /**
     * Cores per executor when the status store does not know: {@code spark.executor.cores} when set; else the
     * scheduler backend's default parallelism, which on standalone, YARN and Kubernetes is the executors' cores in
     * all (but at least 2) unless {@code spark.default.parallelism} is set, shared out over the executors; else 1.
     */
    static int coresPerExecutor(Integer executorCores, int defaultParallelism, boolean defaultParallelismSet, int executors) {
        if (executorCores != null && executorCores > 0) {
            return executorCores;
        }
        if (defaultParallelismSet || executors < 1) {
            return 1;
        }
        return Math.max(1, defaultParallelism / executors);
    }

    /** Adds executors known to be live, except those whose removal was already seen. */
    void seed(Map<String, Integer> live) {
        boolean added = false;
        synchronized (this) {
            for (Map.Entry<String, Integer> e : live.entrySet()) {
                if (!removed.contains(e.getKey()) && cores.putIfAbsent(e.getKey(), e.getValue()) == null) {
                    added = true;
                }
            }
            notifyAll();
        }
        if (added) {
            changed();
        }
    }

    /** The cluster's size as the engine's sizing sees it. */
    public synchronized Cluster.Capacity capacity(String master) {
        return Cluster.Capacity.executors(master, executors(), totalCores());
    }

    private static boolean listenerOf(SparkContext sc, ExecutorTracker t) {
        return sc.listenerBus().findListenersByClass(scala.reflect.ClassTag$.MODULE$.apply(ExecutorTracker.class))
                .contains(t);
    }

    public synchronized int executors() {
        return cores.size();
    }

    public synchronized int totalCores() {
        return cores.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Called (on the listener thread) after every change; keep it quick. */
    public void unwatch(Consumer<ExecutorTracker> watcher) {
        watchers.remove(watcher);
    }

    public void watch(Consumer<ExecutorTracker> watcher) {
        watchers.add(watcher);
    }

    /**
     * Waits until at least one executor has registered and no other has joined for {@code settle}, at most
     * {@code timeout}. Returns the executors seen.
     */
    public synchronized int awaitExecutors(Duration timeout, Duration settle) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = -1;
        long stableSince = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            if (cores.size() != seen) {
                seen = cores.size();
                stableSince = now;
            }
            if (seen > 0 && now - stableSince >= settle.toNanos()) {
                return seen;
            }
            long left = deadline - now;
            if (left <= 0) {
                return seen;
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
        }
    }

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded event) {
        if ("driver".equals(event.executorId())) {
            return;
        }
        synchronized (this) {
            removed.remove(event.executorId());
            cores.put(event.executorId(), event.executorInfo().totalCores());
            notifyAll();
        }
        changed();
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved event) {
        synchronized (this) {
            cores.remove(event.executorId());
            removed.add(event.executorId());
            notifyAll();
        }
        changed();
    }

    private void changed() {
        for (Consumer<ExecutorTracker> w : watchers) {
            try {
                w.accept(this);
            } catch (RuntimeException e) {
                // a watcher's failure must not disturb the listener bus
            }
        }
    }
}
