package dev.fanout.internal.engine;

import dev.fanout.Attempt;
import dev.fanout.DurationFormat;
import dev.fanout.ErrorInfo;
import dev.fanout.Outcome;
import dev.fanout.SparkJob;
import dev.fanout.internal.spark.GroupTaskTracker;
import dev.fanout.internal.spark.RunScope;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the attempts of one slot, each on the slot's runner thread, and ends them properly.
 *
 * <h2>Timeouts and cancellation</h2>
 * Interrupting a thread does not cancel its Spark jobs, and a cancelled job's tasks keep their
 * cores until the executors have actually stopped them. So when an attempt times out or is
 * cancelled, the slot:
 * <ol>
 *   <li>cancels the attempt's job group <em>and its future jobs</em> (a job still planning on the
 *       driver would otherwise submit its next Spark job after the cancel), asks the attempt's own
 *       session to interrupt its operations, then interrupts the runner thread;</li>
 *   <li>waits for the runner thread to return, and for {@link GroupTaskTracker} to see no running
 *       task of the group, both bounded by {@code cancelGrace};</li>
 *   <li>if the thread did not return (job code that ignores interrupts), abandons it and starts a
 *       fresh runner thread, so the slot is never stuck behind it.</li>
 * </ol>
 * Only then does the slot take its next item. Every attempt has its own job group, never reused,
 * with interrupt-on-cancel on.
 */
final class AttemptRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AttemptRunner.class);

    private final SparkSession spark;
    private final SparkContext sc;
    private final GroupTaskTracker tracker;
    private final String batchId;
    private final int slot;
    private final String pool;
    private final EngineSettings settings;
    private ExecutorService executor;
    private int generation;

    AttemptRunner(SparkSession spark, GroupTaskTracker tracker, String batchId, int slot, String pool, EngineSettings settings) {
        this.spark = spark;
        this.sc = spark.sparkContext();
        this.tracker = tracker;
        this.batchId = batchId;
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
        Future<String> future = executor.submit(task);
        task.future = future;
        flight.begin(task);
        Duration timeout = settings.timeout();
        Outcome outcome;
        Throwable error = null;
        String value = null;
        try {
            value = timeout == null ? future.get() : future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            outcome = Outcome.SUCCEEDED;
        } catch (ExecutionException e) {
            error = e.getCause();
            outcome = flight.cancelReason() != null ? Outcome.CANCELLED : Outcome.FAILED;
        } catch (CancellationException e) {
            outcome = Outcome.CANCELLED;
        } catch (TimeoutException e) {
            outcome = Outcome.TIMED_OUT;
            error = new TimeoutException("timed out after " + DurationFormat.format(timeout) + "; its Spark jobs were cancelled");
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
        Attempt attempt = new Attempt(number, group, slot, startedAt, endedAt, outcome, info, tracker.takeMetrics(group));
        return new Ended(attempt, value, error);
    }

    /**
     * After a successful attempt its Spark jobs are over, but the listener bus may not have delivered their
     * last task ends yet: wait (briefly, bounded) until the tracker has seen them, so the metrics are complete.
     */
    private void awaitMetrics(String group) {
        long deadline = System.nanoTime() + Math.min(settings.cancelGrace().toNanos(), TimeUnit.SECONDS.toNanos(10));
        try {
            tracker.awaitIdle(sc, group, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the attempt's thread has returned and its Spark tasks have stopped, within the grace period. */
    private void settle(Task task) {
        long deadline = System.nanoTime() + settings.cancelGrace().toNanos();
        try {
            if (!task.finished.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                LOG.warn("run thread of {} did not return within {} of being cancelled (job code ignoring interrupts?);"
                        + " abandoning it and starting a fresh thread for slot {}", task.group,
                        DurationFormat.format(settings.cancelGrace()), slot);
                executor.shutdownNow();
                executor = newExecutor();
            }
            if (!tracker.awaitIdle(sc, task.group, deadline)) {
                LOG.warn("Spark tasks of {} still running {} after it was cancelled ({} seen); moving on."
                        + " Tasks stuck in non-interruptible code are only ended by spark.task.reaper.enabled=true",
                        task.group, DurationFormat.format(settings.cancelGrace()), tracker.runningTasks(task.group));
            }
        } catch (InterruptedException e) {
            LOG.warn("interrupted while waiting for {} to stop", task.group);
        }
    }

    private ExecutorService newExecutor() {
        String name = batchId + "-run-" + slot + "." + (generation++);
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

    /** One attempt on the runner thread. Whoever flips {@code started} first decides whether job code runs at all. */
    private final class Task implements Callable<String> {
        final SparkJob job;
        final String group;
        final String description;
        final RunIdentity context;
        final CountDownLatch finished = new CountDownLatch(1);
        final AtomicBoolean started = new AtomicBoolean();
        final AtomicBoolean cancelled = new AtomicBoolean();
        volatile Future<String> future;
        volatile SparkSession runSession;

        Task(SparkJob job, String group, String description, RunIdentity context) {
            this.job = job;
            this.group = group;
            this.description = description;
            this.context = context;
        }

        @Override
        public String call() throws Exception {
            if (!started.compareAndSet(false, true)) {
                throw new CancellationException("cancelled before it started");
            }
            try {
                SparkSession session = spark;
                if (settings.sessionPerRun()) {
                    session = spark.newSession();
                    runSession = session; // only a run's own session may be interrupted as a whole
                }
                try (RunScope scope = RunScope.enter(session, group, description, pool)) {
                    return job.run(new RunContext(session, context.params(), context.runId(), context.attempt()));
                }
            } finally {
                finished.countDown();
            }
        }

        void cancel(String reason) {
            if (!cancelled.compareAndSet(false, true)) {
                return;
            }
            if (started.compareAndSet(false, true)) {
                finished.countDown(); // never ran: nothing to stop but the group's future jobs
            }
            try {
                sc.cancelJobGroupAndFutureJobs(group, reason);
            } catch (RuntimeException e) {
                LOG.debug("cancelling {} failed: {}", group, e.toString()); // the context is stopping
            }
            SparkSession session = runSession;
            if (session != null) {
                try {
                    session.interruptAll();
                } catch (RuntimeException e) {
                    LOG.debug("interruptAll for {} failed: {}", group, e.toString());
                }
            }
            Future<String> f = future;
            if (f != null) {
                f.cancel(true);
            }
        }
    }

    /** The in-flight state of one run across its attempts, so a batch stop can reach it. */
    static final class InFlight {
        private String cancelReason;
        private Task current;

        synchronized void cancel(String reason) {
            if (cancelReason == null) {
                cancelReason = reason;
            }
            if (current != null) {
                current.cancel(reason);
            }
            notifyAll();
        }

        synchronized String cancelReason() {
            return cancelReason;
        }

        private synchronized void begin(Task task) {
            current = task;
            if (cancelReason != null) {
                task.cancel(cancelReason);
            }
        }

        private synchronized void end() {
            current = null;
        }

        /** Sleeps for a retry backoff; false when the run was cancelled meanwhile. */
        synchronized boolean sleep(Duration delay) {
            long deadline = System.nanoTime() + delay.toNanos();
            try {
                for (long left = delay.toNanos(); cancelReason == null && left > 0; left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                return false;
            }
            return cancelReason == null;
        }
    }
}
