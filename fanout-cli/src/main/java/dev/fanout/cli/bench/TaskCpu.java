package dev.fanout.cli.bench;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * The CPU a benchmark's Spark application used: this JVM's process CPU (the driver; in local mode the tasks too), plus
 * the CPU of the tasks that ran in executors outside this JVM (a cluster), from Spark's task metrics.
 *
 * <p>The task metrics come with {@code TaskEnd} events on the asynchronous listener bus: before reading them,
 * {@link #executorCpuNanos()} posts a fence event and waits until this listener has seen it, so every task that ended
 * before the call is counted. Executor JVMs' own CPU outside tasks (heartbeats, block serving, their GC between
 * tasks) is not in task metrics and not counted.
 */
final class TaskCpu extends SparkListener implements AutoCloseable {
    private static final AtomicLong FENCES = new AtomicLong();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final SparkContext sc;
    private final AtomicLong remoteCpuNanos = new AtomicLong();
    private long fenceSeen;

    private TaskCpu(SparkContext sc) {
        this.sc = sc;
    }

    /** Registers a new one with {@code sc}; {@link #close()} removes it. */
    static TaskCpu register(SparkContext sc) {
        TaskCpu t = new TaskCpu(sc);
        sc.addSparkListener(t);
        return t;
    }

    /** This JVM's CPU time so far (user + system, all threads), in nanoseconds. */
    static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    /** CPU time of every task that ran outside this JVM and ended so far (0 in local mode), in nanoseconds. */
    long executorCpuNanos() throws InterruptedException {
        if (sc.isLocal() || sc.isStopped()) {
            return remoteCpuNanos.get();
        }
        long fence = FENCES.incrementAndGet();
        sc.listenerBus().post(new Fence(fence));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (this) {
            while (fenceSeen < fence) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break; // a stuck listener bus: count what arrived
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        return remoteCpuNanos.get();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        TaskMetrics m = end.taskMetrics();
        if (m != null && !"driver".equals(end.taskInfo().executorId())) {
            remoteCpuNanos.addAndGet(m.executorCpuTime() + m.executorDeserializeCpuTime());
        }
    }

    @Override
    public void onOtherEvent(SparkListenerEvent event) {
        if (event instanceof Fence f) {
            synchronized (this) {
                fenceSeen = Math.max(fenceSeen, f.id);
                notifyAll();
            }
        }
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }

    /** Posted to the listener bus; once seen, every event posted before it has been seen too. */
    static final class Fence implements SparkListenerEvent {
        final long id;

        Fence(long id) {
            this.id = id;
        }

        @Override
        public boolean logEvent() {
            return false;
        }
    }
}
