package dev.fanout.internal.engine;

import dev.fanout.Attempt;
import dev.fanout.DurationFormat;
import dev.fanout.ErrorInfo;
import dev.fanout.Outcome;
import dev.fanout.SparkJob;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the attempts of one slot (one leased pool), each on the slot's runner thread, and ends them properly.
 *
 * <h2>Timeouts and cancellation</h2>
 * Interrupting a thread does not cancel its Spark jobs, and a cancelled job's tasks keep their
 * cores until the executors have actually stopped them. So when an attempt times out or is
 * cancelled, the slot:
 * <ol>
 *   <li>cancels the attempt's job group <em>and its future jobs</em> (a job still planning on the
 *       driver would otherwise submit its next Spark job after the cancel), asks the attempt's own
 *       session to interrupt its operations ({@link Cluster#cancel}), then interrupts the runner thread;</li>
 *   <li>waits for the runner thread to return, and for the cluster to see no running task of the group
 *       ({@link Cluster#awaitStopped}), both bounded by {@code cancelGrace};</li>
 *   <li>if the thread did not return (job code that ignores interrupts), abandons it and starts a
 *       fresh runner thread, so the slot is never stuck behind it.</li>
 * </ol>
 * Only then does the slot give back its permit and its pool may take the next item. Every attempt has its own
 * job group, never reused, with interrupt-on-cancel on.
 *
 * <h2>Driver CPU</h2>
 * Each attempt's {@link dev.fanout.SparkMetrics#driverCpuNanos()} is the CPU time of its runner thread from just before
 * its scope is entered to just after it is closed ({@code ThreadMXBean.getCurrentThreadCpuTime}, read on that thread):
 * the job's own code and whatever Spark does on the calling thread (analysis, optimization, planning, code generation,
 * Delta snapshots and commits, collecting results). Work Spark does for the run on its other threads (scheduler event
 * loop, listener bus, broadcast and listing pools, GC, JIT) and the executors' work are not in it. A thread abandoned
 * after a cancel is read from the slot thread ({@code getThreadCpuTime(id)}) up to the moment the attempt ends.
 *
 * <h2>Time</h2>
 * The attempt's deadline, the backoff before a retry and the grace period are all waited for through the
 * injected {@link Ticker}, on conditions that a finished attempt or a cancel signals at once: nothing here polls
 * or sleeps, and a manual ticker drives all of it in tests.
 */
final class AttemptRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AttemptRunner.class);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean THREAD_CPU = threadCpuTime();

    private final Cluster cluster;
    private final Ticker ticker;
    private final String threadName;
    private final int slot;
    private final String pool;
    private final EngineSettings settings;
    private ExecutorService executor;
    private int generation;

    AttemptRunner(Cluster cluster, Ticker ticker, String threadName, int slot, String pool, EngineSettings settings) {
        this.cluster = cluster;
        this.ticker = ticker;
        this.threadName = threadName;
        this.slot = slot;
        this.pool = pool;
        this.settings = settings;
        this.executor = newExecutor();
    }

    int slot() {
        return slot;
    }

    String pool() {
        return pool;
    }

    /** How an attempt ended: the record, plus the live exception and the exit value. */
    record Ended(Attempt attempt, String exitValue, Throwable error) {}

    Ended attempt(InFlight flight, SparkJob job, String runId, String groupBase, int number, Map<String, String> params,
                  String description) {
        String group = groupBase + "-a" + number;
        Task task = new Task(job, group, description, new RunIdentity(runId, number, params));
        Instant startedAt = settings.clock().instant();
        executor.execute(task);
        flight.begin(task);
        Duration timeout = settings.timeout();
        Outcome outcome;
        Throwable error = null;
        String value = null;
        try {
            boolean inTime = task.await(timeout);
            if (task.ranToEnd()) {
                value = task.value;
                error = task.error;
                outcome = error == null ? Outcome.SUCCEEDED : flight.cancelReason() != null ? Outcome.CANCELLED : Outcome.FAILED;
            } else if (inTime) {
                outcome = Outcome.CANCELLED;
            } else {
                outcome = Outcome.TIMED_OUT;
                error = new TimeoutException("timed out after " + DurationFormat.format(timeout) + "; its Spark jobs were cancelled");
            }
        } catch (InterruptedException e) {
            flight.cancel("the slot thread was interrupted");
            outcome = Outcome.CANCELLED;
        }
        flight.end();
        ErrorInfo info = switch (outcome) {
            case SUCCEEDED, SKIPPED -> null;
            case FAILED -> ErrorInfo.of(error);
            case TIMED_OUT -> new ErrorInfo(TimeoutException.class.getName(), error.getMessage(), "");
            case CANCELLED -> new ErrorInfo(CancellationException.class.getName(), "cancelled: " + flight.cancelReason(), "");
        };
        Instant endedAt;
        if (outcome != Outcome.SUCCEEDED) {
            task.cancel(info.message());
            settle(task);
            endedAt = settings.clock().instant(); // the slot was busy until the run's work had stopped
        } else {
            endedAt = settings.clock().instant();
            awaitMetrics(group);
        }
        Attempt attempt = new Attempt(number, group, slot, startedAt, endedAt, outcome, info,
                cluster.takeMetrics(group).withDriverCpuNanos(task.driverCpuNanos()));
        return new Ended(attempt, value, error);
    }

    /**
     * After a successful attempt its Spark jobs are over, but the listener bus may not have delivered their
     * last task ends yet: wait (briefly, bounded) until the cluster has seen them, so the metrics are complete.
     */
    private void awaitMetrics(String group) {
        Duration within = settings.cancelGrace().compareTo(Duration.ofSeconds(10)) < 0 ? settings.cancelGrace() : Duration.ofSeconds(10);
        try {
            cluster.awaitStopped(group, within);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the attempt's thread has returned and its Spark tasks have stopped, within the grace period. */
    private void settle(Task task) {
        long deadline = ticker.nanoTime() + settings.cancelGrace().toNanos();
        try {
            if (!task.awaitReturned(deadline)) {
                LOG.warn("run thread of {} did not return within {} of being cancelled (job code ignoring interrupts?);"
                        + " abandoning it and starting a fresh thread for slot {}", task.group,
                        DurationFormat.format(settings.cancelGrace()), slot);
                executor.shutdownNow();
                executor = newExecutor();
            }
            if (!cluster.awaitStopped(task.group, Duration.ofNanos(ticker.left(deadline)))) {
                LOG.warn("Spark tasks of {} still running {} after it was cancelled ({} seen); moving on."
                        + " Tasks stuck in non-interruptible code are only ended by spark.task.reaper.enabled=true",
                        task.group, DurationFormat.format(settings.cancelGrace()), cluster.runningTasks(task.group));
            }
        } catch (InterruptedException e) {
            LOG.warn("interrupted while waiting for {} to stop", task.group);
        }
    }

    /** Whether this JVM measures threads' CPU time (it does on HotSpot/Linux); turns it on when it is off. */
    private static boolean threadCpuTime() {
        try {
            if (!THREADS.isCurrentThreadCpuTimeSupported()) {
                return false;
            }
            if (!THREADS.isThreadCpuTimeEnabled()) {
                THREADS.setThreadCpuTimeEnabled(true);
            }
            return true;
        } catch (UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static long threadCpuNow() {
        return THREAD_CPU ? Math.max(0, THREADS.getCurrentThreadCpuTime()) : 0;
    }

    private ExecutorService newExecutor() {
        String name = threadName + "." + (generation++);
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    private record RunIdentity(String runId, int attempt, Map<String, String> params) {}

    /**
     * One attempt on the runner thread. Whoever comes first, the runner starting it or a cancel, decides whether
     * job code runs at all; every change of state signals {@code changed}.
     */
    private final class Task implements Runnable {
        final SparkJob job;
        final String group;
        final String description;
        final RunIdentity context;
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        private boolean started;   // the runner took it, or a cancel came first
        private boolean ran;       // job code was entered
        private boolean returned;  // the runner is done with it (or it never ran)
        private boolean cancelled;
        private Thread thread;     // the runner, while job code may be running
        private long cpuStart;     // the runner's CPU time when it took the attempt
        private long cpuNanos;     // the runner's CPU time spent on it, once returned
        String value;
        Throwable error;

        Task(SparkJob job, String group, String description, RunIdentity context) {
            this.job = job;
            this.group = group;
            this.description = description;
            this.context = context;
        }

        @Override
        public void run() {
            lock.lock();
            try {
                if (started) {
                    return; // cancelled before it started
                }
                started = true;
                ran = true;
                thread = Thread.currentThread();
                cpuStart = threadCpuNow();
            } finally {
                lock.unlock();
            }
            String v = null;
            Throwable t = null;
            try (Cluster.Scope scope = cluster.enter(group, description, pool, settings.sessionPerRun())) {
                v = job.run(new RunContext(scope.session(), context.params(), context.runId(), context.attempt()));
            } catch (Throwable e) {
                t = e;
            } finally {
                long cpuEnd = threadCpuNow();
                lock.lock();
                try {
                    value = v;
                    error = t;
                    cpuNanos = Math.max(0, cpuEnd - cpuStart);
                    returned = true;
                    thread = null;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }

        /** Waits until the job code returned or the attempt was cancelled; false when the timeout passed first. */
        boolean await(Duration timeout) throws InterruptedException {
            lock.lock();
            try {
                if (timeout != null) {
                    return ticker.awaitUntil(lock, changed, ticker.nanoTime() + timeout.toNanos(), () -> returned || cancelled);
                }
                while (!returned && !cancelled) {
                    changed.await();
                }
                return true;
            } finally {
                lock.unlock();
            }
        }

        /**
         * The runner thread's CPU time on this attempt: measured on the thread when it returned, read from here for a
         * thread still running (abandoned after a cancel), 0 when job code never ran.
         */
        long driverCpuNanos() {
            lock.lock();
            try {
                if (!ran) {
                    return 0;
                }
                if (returned || thread == null || !THREAD_CPU) {
                    return cpuNanos;
                }
                long now = THREADS.getThreadCpuTime(thread.getId()); // -1 once the thread is gone
                return now < 0 ? 0 : Math.max(0, now - cpuStart);
            } finally {
                lock.unlock();
            }
        }

        /** Whether job code ran and returned (with a value or an exception). */
        boolean ranToEnd() {
            lock.lock();
            try {
                return ran && returned;
            } finally {
                lock.unlock();
            }
        }

        /** Waits until the runner thread is done with the attempt, at most until {@code deadline}. */
        boolean awaitReturned(long deadline) throws InterruptedException {
            lock.lock();
            try {
                return ticker.awaitUntil(lock, changed, deadline, () -> returned);
            } finally {
                lock.unlock();
            }
        }

        void cancel(String reason) {
            lock.lock();
            try {
                if (cancelled) {
                    return;
                }
                cancelled = true;
                if (!started) {
                    started = true; // never ran: nothing to stop but the group's future jobs
                    returned = true;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            try {
                cluster.cancel(group, reason);
            } catch (RuntimeException e) {
                LOG.debug("cancelling {} failed: {}", group, e.toString()); // the context is stopping
            }
            lock.lock();
            try {
                if (thread != null) {
                    thread.interrupt();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** The in-flight state of one run across its attempts, so a batch stop can reach it. */
    static final class InFlight {
        private final Ticker ticker;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition cancelled = lock.newCondition();
        private String cancelReason;
        private Task current;

        InFlight(Ticker ticker) {
            this.ticker = ticker;
        }

        void cancel(String reason) {
            Task task;
            lock.lock();
            try {
                if (cancelReason == null) {
                    cancelReason = reason;
                }
                task = current;
                cancelled.signalAll();
            } finally {
                lock.unlock();
            }
            if (task != null) {
                task.cancel(reason);
            }
        }

        String cancelReason() {
            lock.lock();
            try {
                return cancelReason;
            } finally {
                lock.unlock();
            }
        }

        private void begin(Task task) {
            String reason;
            lock.lock();
            try {
                current = task;
                reason = cancelReason;
            } finally {
                lock.unlock();
            }
            if (reason != null) {
                task.cancel(reason);
            }
        }

        private void end() {
            lock.lock();
            try {
                current = null;
            } finally {
                lock.unlock();
            }
        }

        /** Waits out a retry backoff on the ticker; false when the run was cancelled meanwhile. */
        boolean sleep(Duration delay) {
            lock.lock();
            try {
                long deadline = ticker.nanoTime() + delay.toNanos();
                for (long left = delay.toNanos(); cancelReason == null && left > 0; left = deadline - ticker.nanoTime()) {
                    ticker.await(lock, cancelled, left);
                }
                return cancelReason == null;
            } catch (InterruptedException e) {
                return false;
            } finally {
                lock.unlock();
            }
        }
    }
}
