package dev.fanout.internal.engine;

import dev.fanout.Attempt;
import dev.fanout.BatchResult;
import dev.fanout.DurationFormat;
import dev.fanout.ErrorInfo;
import dev.fanout.FailurePolicy;
import dev.fanout.FanoutListener;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.SparkJob;
import dev.fanout.internal.spark.GroupTaskTracker;
import dev.fanout.internal.spark.SchedulerPools;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.IntUnaryOperator;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch: a job over a stream of parameter sets, at most {@code parallelism} runs at a time.
 *
 * <h2>Dispatch</h2>
 * There is no queue of futures: {@code parallelism} slot threads each pull the next item from the
 * shared iterator as soon as their previous run has ended, so items are consumed lazily, a free
 * slot is refilled at once (no waves), and memory does not grow with the number of items (beyond
 * the per-item results, which {@code retainRuns(false)} drops). Each slot has its own FAIR pool.
 *
 * <h2>Runs</h2>
 * A slot runs each attempt on its own runner thread (see {@link AttemptRunner}) and waits for it
 * with the timeout. The slot itself never executes job code, so it can always act on a deadline or
 * a cancellation, even when the job's code ignores interrupts.
 *
 * <h2>Stopping</h2>
 * Fail-fast, {@link #abort} and JVM shutdown all end in {@link #stop}: no further item is claimed,
 * in-flight runs are cancelled on the cluster and end CANCELLED, and unclaimed items are reported
 * SKIPPED, in input order, once the slots have finished.
 */
public final class BatchRun {
    static final String GROUP_PREFIX = "fanout-";
    private static final Logger LOG = LoggerFactory.getLogger(BatchRun.class);

    private final SparkSession spark;
    private final EngineSettings settings;
    private final SparkJob job;
    private final String jobName;
    private final Iterator<? extends Map<String, String>> items;
    private final OptionalLong expected;
    private final Listeners listeners;
    private final BiConsumer<Integer, Throwable> errorSink;
    private final GroupTaskTracker tracker;
    private final String batchId;
    private final String groupPrefix;
    private final IntUnaryOperator indexAt;

    private final Object lock = new Object();
    private final Set<AttemptRunner.InFlight> inFlight = ConcurrentHashMap.newKeySet();
    private final List<RunResult> results = new ArrayList<>();
    private final List<Thread> slots = new ArrayList<>();
    private final EnumMap<Outcome, Long> counts = new EnumMap<>(Outcome.class);
    private int nextIndex;
    private int running;
    private volatile String stopReason;
    private volatile boolean interrupted;
    private RuntimeException itemsError;

    /**
     * @param batchId   the batch's id, or null for a fresh one
     * @param indexAt   the item index reported for the n-th item read (identity for a whole batch; the original
     *                  indices when only some items of a batch are run again)
     * @param errorSink receives each failed run's last exception (the live object, for {@code Fanout.run})
     */
    public BatchRun(SparkSession spark, EngineSettings settings, SparkJob job, String batchId,
                    Iterator<? extends Map<String, String>> items, IntUnaryOperator indexAt,
                    OptionalLong expected, BiConsumer<Integer, Throwable> errorSink) {
        this.spark = spark;
        this.settings = settings;
        this.job = job;
        this.jobName = job.name();
        this.items = items;
        this.expected = expected;
        this.listeners = new Listeners(settings.listeners());
        this.errorSink = errorSink;
        this.tracker = GroupTaskTracker.of(spark.sparkContext(), GROUP_PREFIX);
        // Job groups are never reused, also when a batch is resumed in the same application: each execution
        // of a batch has its own random token in its groups.
        String token = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
        this.batchId = batchId != null ? batchId : GROUP_PREFIX + token;
        this.groupPrefix = GROUP_PREFIX + token + "-";
        this.indexAt = indexAt;
    }

    public String batchId() {
        return batchId;
    }

    /** Runs the batch to its end and returns every item's outcome. */
    public BatchResult execute() {
        Instant startedAt = settings.clock().instant();
        listeners.fire(l -> l.onBatchStart(new FanoutListener.BatchStart(batchId, jobName, settings.parallelism(), startedAt, expected)));
        Object hook = ShutdownHooks.install(() -> stop("the JVM is shutting down", true), this::awaitSlotsQuietly);
        try {
            runSlots();
            skipUnclaimed();
        } finally {
            ShutdownHooks.remove(hook);
        }
        BatchResult result;
        synchronized (lock) {
            result = new BatchResult(batchId, jobName, settings.parallelism(), startedAt, settings.clock().instant(),
                    counts, settings.retainRuns() ? results : List.of(), interrupted);
        }
        listeners.fire(l -> l.onBatchEnd(result));
        if (itemsError != null) {
            throw new IllegalArgumentException("reading the items failed after " + result.total() + " items: "
                    + itemsError.getMessage(), itemsError);
        }
        return result;
    }

    /** Stops the batch: cancels the runs in flight on the cluster, skips the rest. Safe from any thread. */
    public void abort(String reason) {
        stop(reason, true);
    }

    private void runSlots() {
        int n = settings.parallelism();
        if (expected.isPresent()) {
            n = (int) Math.max(1, Math.min(n, expected.getAsLong()));
        }
        synchronized (slots) {
            for (int i = 0; i < n; i++) {
                int slot = i;
                Thread t = new Thread(() -> slotLoop(slot), batchId + "-slot-" + slot);
                t.setDaemon(true);
                slots.add(t);
                t.start();
            }
        }
        boolean callerInterrupted = false;
        for (Thread t : slots) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    callerInterrupted = true;
                    stop("the calling thread was interrupted", true);
                }
            }
        }
        if (callerInterrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitSlotsQuietly(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        List<Thread> copy;
        synchronized (slots) {
            copy = List.copyOf(slots);
        }
        try {
            for (Thread t : copy) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0) {
                    t.join(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void slotLoop(int slot) {
        AttemptRunner runner = new AttemptRunner(spark, tracker, batchId, slot, SchedulerPools.poolName(slot), settings);
        try {
            for (Claim claim = claim(); claim != null; claim = claim()) {
                RunResult result;
                try {
                    result = runItem(runner, claim);
                } finally {
                    synchronized (lock) {
                        running--;
                        lock.notifyAll();
                    }
                }
                record(claim.position(), result);
                if (result.outcome().isFailure() && settings.failurePolicy() == FailurePolicy.FAIL_FAST) {
                    stop("fail-fast: item " + result.index() + " " + result.outcome(), false);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("slot {} of batch {} failed; stopping the batch", slot, batchId, e);
            stop("internal error in slot " + slot + ": " + e, false);
        } finally {
            runner.close();
        }
    }

    /** The n-th item read ({@code position}), reported under {@code index}. */
    private record Claim(int position, int index, Map<String, String> params) {}

    /** Runs allowed in flight now: the dynamic limit (e.g. from the live executors), within 1..slots. */
    private int limit() {
        if (settings.limit() == null) {
            return settings.parallelism();
        }
        try {
            return Math.max(1, Math.min(settings.parallelism(), settings.limit().getAsInt()));
        } catch (RuntimeException e) {
            LOG.warn("the parallelism limit failed ({}); using {}", e.toString(), settings.parallelism());
            return settings.parallelism();
        }
    }

    /**
     * The next item for a slot, or null when there is none (or the batch stopped). With a dynamic limit, a slot
     * waits here while the runs in flight are at the limit: a lower limit never cancels anything, it only keeps
     * slots from taking more items until runs end; a higher one lets waiting slots go at once (re-read every 250 ms).
     */
    private Claim claim() {
        synchronized (lock) {
            while (stopReason == null && itemsError == null && running >= limit()) {
                try {
                    lock.wait(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            if (stopReason != null || itemsError != null) {
                return null;
            }
            Map<String, String> params;
            try {
                if (!items.hasNext()) {
                    return null;
                }
                params = copyParams(items.next(), nextIndex);
            } catch (RuntimeException e) {
                itemsError = e;
                stopReason = "reading the items failed: " + e.getMessage();
                return null;
            }
            int position = nextIndex++;
            if (settings.retainRuns()) {
                results.add(null);
            }
            running++;
            return new Claim(position, indexAt.applyAsInt(position), params);
        }
    }

    private static Map<String, String> copyParams(Map<String, String> item, int index) {
        if (item == null) {
            throw new IllegalArgumentException("item " + index + " is null");
        }
        LinkedHashMap<String, String> copy = new LinkedHashMap<>();
        item.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new IllegalArgumentException("item " + index + " has a null " + (k == null ? "key" : "value for '" + k + "'"));
            }
            copy.put(k, v);
        });
        return Collections.unmodifiableMap(copy);
    }

    private RunResult runItem(AttemptRunner runner, Claim claim) {
        String runId = batchId + "-" + claim.index();
        String groupBase = groupPrefix + claim.index();
        AttemptRunner.InFlight flight = new AttemptRunner.InFlight();
        inFlight.add(flight);
        if (stopReason != null) {
            flight.cancel(stopReason);
        }
        List<Attempt> attempts = new ArrayList<>();
        AttemptRunner.Ended last = null;
        String description = description(claim.params());
        try {
            for (int n = 1; ; n++) {
                if (flight.cancelReason() != null) {
                    break;
                }
                int attemptNo = n;
                listeners.fire(l -> l.onRunStart(new FanoutListener.RunStart(batchId, claim.index(), runId, attemptNo,
                        runner.slot(), runner.pool(), claim.params(), settings.clock().instant())));
                last = runner.attempt(flight, job, runId, groupBase, n, claim.params(), description);
                attempts.add(last.attempt());
                boolean timedOut = last.attempt().outcome() == Outcome.TIMED_OUT;
                boolean failed = last.attempt().outcome() == Outcome.FAILED || timedOut;
                if (!failed || !settings.retry().shouldRetry(n, last.error(), timedOut)) {
                    break;
                }
                var delay = settings.retry().backoff(n, ThreadLocalRandom.current()::nextDouble);
                ErrorInfo error = last.attempt().error();
                listeners.fire(l -> l.onRetryScheduled(new FanoutListener.RetryScheduled(batchId, claim.index(), runId,
                        attemptNo, delay, error)));
                LOG.info("run {} attempt {} failed ({}); retrying in {}", runId, n,
                        settings.redaction().scrub(error.firstLine(), claim.params()), DurationFormat.format(delay));
                if (!flight.sleep(delay)) {
                    break; // the batch stopped during the backoff: the run keeps its last failure
                }
            }
        } finally {
            inFlight.remove(flight);
        }
        if (last == null) {
            return new RunResult(claim.index(), runId, claim.params(), Outcome.SKIPPED, null, List.of(), null, null, null);
        }
        if (last.error() != null && last.attempt().outcome() == Outcome.FAILED) {
            errorSink.accept(claim.index(), last.error());
        }
        Attempt end = last.attempt();
        return new RunResult(claim.index(), runId, claim.params(), end.outcome(), last.exitValue(), attempts,
                attempts.get(0).startedAt(), end.endedAt(), end.error());
    }

    private String description(Map<String, String> params) {
        StringBuilder sb = new StringBuilder(jobName);
        settings.redaction().params(params).forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.length() > 300 ? sb.substring(0, 297) + "..." : sb.toString();
    }

    private void record(int position, RunResult result) {
        synchronized (lock) {
            counts.merge(result.outcome(), 1L, Long::sum);
            if (settings.retainRuns()) {
                results.set(position, result);
            }
        }
        listeners.fire(l -> l.onRunEnd(result));
    }

    private void stop(String reason, boolean interrupt) {
        synchronized (lock) {
            if (stopReason != null) {
                return;
            }
            stopReason = reason;
            interrupted = interrupt;
            lock.notifyAll();
        }
        LOG.warn("stopping batch {}: {}", batchId, reason);
        for (AttemptRunner.InFlight f : inFlight) {
            f.cancel(reason);
        }
    }

    /** After a stop, every item nobody claimed is reported SKIPPED, in input order. */
    private void skipUnclaimed() {
        if (stopReason == null || itemsError != null) {
            return;
        }
        while (true) {
            Claim claim;
            synchronized (lock) {
                try {
                    if (!items.hasNext()) {
                        return;
                    }
                    Map<String, String> params = copyParams(items.next(), nextIndex);
                    int position = nextIndex++;
                    claim = new Claim(position, indexAt.applyAsInt(position), params);
                    if (settings.retainRuns()) {
                        results.add(null);
                    }
                } catch (RuntimeException e) {
                    itemsError = e;
                    return;
                }
            }
            record(claim.position(), new RunResult(claim.index(), batchId + "-" + claim.index(), claim.params(),
                    Outcome.SKIPPED, null, List.of(), null, null, null));
        }
    }
}
