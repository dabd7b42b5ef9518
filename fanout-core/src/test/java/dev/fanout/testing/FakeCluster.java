package dev.fanout.testing;

import dev.fanout.SparkMetrics;
import dev.fanout.internal.engine.Cluster;
import dev.fanout.internal.engine.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.spark.sql.SparkSession;

/**
 * A {@link Cluster} without Spark, for tests of the engine's logic: it records every attempt's scope (group,
 * description, pool, thread) and every cancel, and lets job code play the part of Spark jobs.
 *
 * <ul>
 *   <li>{@link #runTasks(int)}: the calling attempt runs {@code n} tasks that end at once (they count in its metrics);</li>
 *   <li>{@link #holdTasks(int)}: the calling attempt starts {@code n} tasks that keep their cores until its group is
 *       cancelled, then throws as a cancelled Spark job does; a cancel also cancels the group's future jobs
 *       ({@code holdTasks} after it throws at once and starts nothing);</li>
 *   <li>after a cancel, the tasks stop at once, or, with {@link #tasksStopOnCancel(boolean) tasksStopOnCancel(false)},
 *       only when the test calls {@link #stopTasks} (executors that take their time to kill a task);</li>
 *   <li>{@link #setCapacity} changes the cluster's size and tells the watchers, as executors joining or leaving do.</li>
 * </ul>
 * Waits with a deadline go through the given {@link Ticker}, so a {@link ManualTicker} drives them.
 */
public final class FakeCluster implements Cluster {
    /** How one attempt entered its scope. */
    public record Entry(String group, String description, String pool, String thread) {}

    /** Thrown by {@link #holdTasks} when the group is cancelled, as Spark fails a cancelled job. */
    public static final class JobCancelled extends RuntimeException {
        JobCancelled(String message) {
            super(message);
        }
    }

    private final Ticker ticker;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ThreadLocal<String> currentGroup = new ThreadLocal<>();
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> cancelled = new LinkedHashMap<>();
    private final Map<String, Integer> running = new HashMap<>();
    private final Map<String, Integer> tasks = new HashMap<>();
    private final Set<String> open = new HashSet<>();
    private final CopyOnWriteArrayList<Runnable> watchers = new CopyOnWriteArrayList<>();
    private volatile Capacity capacity = Capacity.executors("fake", 4, 4);
    private boolean stopOnCancel = true;

    public FakeCluster(Ticker ticker) {
        this.ticker = ticker;
    }

    /** Whether cancelled tasks stop at once (the default) or wait for {@link #stopTasks}. */
    public FakeCluster tasksStopOnCancel(boolean stop) {
        lock.lock();
        try {
            stopOnCancel = stop;
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    public String poolName(int index) {
        return "fanout-slot-" + index;
    }

    @Override
    public Scope enter(String group, String description, String pool, boolean newSession) {
        lock.lock();
        try {
            entries.add(new Entry(group, description, pool, Thread.currentThread().getName()));
            open.add(group);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        String before = currentGroup.get();
        currentGroup.set(group);
        return new Scope() {
            @Override
            public SparkSession session() {
                return null;
            }

            @Override
            public void close() {
                currentGroup.set(before);
                lock.lock();
                try {
                    open.remove(group);
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    /** From job code: {@code n} tasks of the calling attempt that end at once. */
    public void runTasks(int n) {
        String group = group();
        lock.lock();
        try {
            if (cancelled.containsKey(group)) {
                throw new JobCancelled("job group " + group + " was cancelled: " + cancelled.get(group));
            }
            tasks.merge(group, n, Integer::sum);
        } finally {
            lock.unlock();
        }
    }

    /**
     * From job code: starts {@code n} tasks of the calling attempt that run until its group is cancelled (or the
     * thread is interrupted), then throws {@link JobCancelled}; the tasks go on running until they stop.
     */
    public void holdTasks(int n) {
        String group = group();
        lock.lock();
        try {
            if (cancelled.containsKey(group)) {
                throw new JobCancelled("job group " + group + " was cancelled: " + cancelled.get(group));
            }
            running.merge(group, n, Integer::sum);
            tasks.merge(group, n, Integer::sum);
            changed.signalAll();
            while (!cancelled.containsKey(group)) {
                changed.await();
            }
            throw new JobCancelled("job group " + group + " was cancelled: " + cancelled.get(group));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobCancelled("interrupted");
        } finally {
            lock.unlock();
        }
    }

    private String group() {
        String g = currentGroup.get();
        if (g == null) {
            throw new IllegalStateException("not called from an attempt's job code");
        }
        return g;
    }

    /** The executors of a cancelled group have now stopped its tasks. */
    public void stopTasks(String group) {
        lock.lock();
        try {
            running.remove(group);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cancel(String group, String reason) {
        lock.lock();
        try {
            cancelled.putIfAbsent(group, reason);
            if (stopOnCancel) {
                running.remove(group);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean awaitStopped(String group, Duration within) throws InterruptedException {
        lock.lock();
        try {
            return ticker.awaitUntil(lock, changed, ticker.nanoTime() + within.toNanos(),
                    () -> running.getOrDefault(group, 0) <= 0);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int runningTasks(String group) {
        lock.lock();
        try {
            return running.getOrDefault(group, 0);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public SparkMetrics takeMetrics(String group) {
        lock.lock();
        try {
            Integer n = tasks.remove(group);
            return n == null ? SparkMetrics.ZERO : new SparkMetrics(1, 1, n, 0, 0, 0, 0, 0, 0, 0);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Capacity capacity() {
        return capacity;
    }

    @Override
    public Runnable watchCapacity(Runnable onChange) {
        watchers.add(onChange);
        return () -> watchers.remove(onChange);
    }

    /** The cluster now has {@code executors} executors of {@code coresEach} cores; the watchers hear of it. */
    public void setCapacity(int executors, int coresEach) {
        capacity = Capacity.executors("fake", executors, executors * coresEach);
        watchers.forEach(Runnable::run);
    }

    /** Every attempt's scope so far, in the order they were entered. */
    public List<Entry> entries() {
        lock.lock();
        try {
            return List.copyOf(entries);
        } finally {
            lock.unlock();
        }
    }

    /** Cancelled groups with the reason given, in order. */
    public Map<String, String> cancelled() {
        lock.lock();
        try {
            return new LinkedHashMap<>(cancelled);
        } finally {
            lock.unlock();
        }
    }

    /** Waits (real time, at most 10 s) until {@code n} attempts have entered their scope; returns the entries. */
    public List<Entry> awaitEntries(int n) {
        return awaitState(() -> entries.size() >= n, "attempts started: " + n);
    }

    /** Waits (real time, at most 10 s) until no attempt is inside its scope: every job code has returned. */
    public void awaitScopesClosed() {
        awaitState(open::isEmpty, "every attempt's job code to return");
    }

    /** Waits (real time, at most 10 s) until {@code n} tasks are held by groups; returns the entries. */
    public List<Entry> awaitHeldTasks(int n) {
        return awaitState(() -> running.values().stream().mapToInt(Integer::intValue).sum() >= n, "held tasks: " + n);
    }

    private List<Entry> awaitState(java.util.function.BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out waiting for " + what + "; entries " + entries);
                }
                changed.awaitNanos(left);
            }
            return List.copyOf(entries);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        } finally {
            lock.unlock();
        }
    }
}
