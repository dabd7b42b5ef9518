package dev.fanout.internal.spark;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;

/**
 * The executors of the live cluster and their cores, as executors come and go.
 *
 * <h2>Why a listener</h2>
 * {@code statusTracker().getExecutorInfos()} includes the driver and has no core counts; only the
 * {@code SparkListenerExecutorAdded/Removed} events carry {@code totalCores}. To see the executors that register
 * while the context starts, register this class through {@code spark.extraListeners} ({@link #CONF}); Spark
 * then builds it before any event. {@link #of} finds that instance, or adds a new one to a running context (which
 * then knows only the executors that register later; it says so by {@link #complete()} being false).
 *
 * <p>In local mode there are no executors: the driver runs the tasks ({@code "driver"} is not counted here).
 */
public final class ExecutorTracker extends SparkListener {
    /** Add this class name to {@code spark.extraListeners} before the context starts. */
    public static final String CONF = "spark.extraListeners";
    private static final CopyOnWriteArrayList<ExecutorTracker> REGISTERED = new CopyOnWriteArrayList<>();

    private final Map<String, Integer> cores = new LinkedHashMap<>();
    private final CopyOnWriteArrayList<Consumer<ExecutorTracker>> watchers = new CopyOnWriteArrayList<>();
    private final boolean complete;
    private SparkContext context;

    /** Called by Spark for {@code spark.extraListeners}. */
    public ExecutorTracker(SparkConf conf) {
        this(true);
    }

    private ExecutorTracker(boolean complete) {
        this.complete = complete;
        if (complete) {
            REGISTERED.add(this);
        }
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
        ExecutorTracker t = new ExecutorTracker(false);
        t.context = sc;
        sc.addSparkListener(t);
        return t;
    }

    private static boolean listenerOf(SparkContext sc, ExecutorTracker t) {
        return sc.listenerBus().findListenersByClass(scala.reflect.ClassTag$.MODULE$.apply(ExecutorTracker.class))
                .contains(t);
    }

    /** Whether it has seen every executor since the context started (registered through {@link #CONF}). */
    public boolean complete() {
        return complete;
    }

    public synchronized int executors() {
        return cores.size();
    }

    public synchronized int totalCores() {
        return cores.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Called (on the listener thread) after every change; keep it quick. */
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
            cores.put(event.executorId(), event.executorInfo().totalCores());
            notifyAll();
        }
        changed();
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved event) {
        synchronized (this) {
            cores.remove(event.executorId());
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
