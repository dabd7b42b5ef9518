package dev.fanout.internal.engine;

import dev.fanout.Attempt;
import dev.fanout.BatchCost;
import dev.fanout.BatchResult;
import dev.fanout.DurationFormat;
import dev.fanout.ErrorInfo;
import dev.fanout.FailurePolicy;
import dev.fanout.FanoutListener;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.SparkJob;
import dev.fanout.SparkMetrics;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.DoubleSupplier;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch: a job over a stream of parameter sets, its runs in flight within the engine's shared budget.
 *
 * <h2>Dispatch</h2>
 * There is no queue of futures: the calling thread is the batch's dispatcher. It waits for a permit from the
 * engine's {@link Limiter}, and only then reads the next item from the iterator and hands it to the slot of the
 * permit's pool. So items are consumed lazily (never more read ahead of the finished runs than permits held), a
 * permit that comes back is refilled at once (no waves), and memory does not grow with the number of items
 * (beyond the per-item results, which {@code retainRuns(false)} drops). The permit is given back only after the
 * run's result was recorded, and after a cancelled run's Spark tasks had stopped.
 *
 * <p>A slot is a pair of threads per leased pool index, made when this batch first gets that index: the slot
 * thread, which waits for each attempt and acts on its deadline, and the {@link AttemptRunner}'s runner thread,
 * which executes job code. The slot thread never executes job code, so it can always act on a deadline or a
 * cancellation, even when the job's code ignores interrupts.
 *
 * <h2>Stopping</h2>
 * Fail-fast, {@link #abort} and JVM shutdown all end in {@link #stop}: the dispatcher stops taking permits and
 * items, in-flight runs are cancelled on the cluster and end CANCELLED, and unclaimed items are reported
 * SKIPPED, in input order, once every run has ended. Each run's life is checked against {@link RunState}'s table.
 *
 * <h2>What it reports</h2>
 * {@link BatchResult#parallelism()} is the most runs this batch had in flight at once; the batch-start event
 * carries the engine's limit when the batch started. {@link BatchResult#cost()} sums every run's metrics as it is
 * recorded (also with {@code retainRuns(false)}), and reads the JVM's process CPU at the batch's start and end.
 */
final class BatchRun {
    static final String GROUP_PREFIX = "fanout-";
    private static final Logger LOG = LoggerFactory.getLogger(BatchRun.class);

    private final Cluster cluster;
    private final Limiter limiter;
    private final Ticker ticker;
    private final DoubleSupplier random;
    private final EngineSettings settings;
    private final SparkJob job;
    private final String jobName;
    private final Iterator<? extends Map<String, String>> items;
    private final OptionalLong expected;
    private final Listeners listeners;
    private final BiConsumer<Integer, Throwable> errorSink;
    private final String batchId;
    private final String groupPrefix;
    private final IntUnaryOperator indexAt;
    private final Gate gate;
    private final RunObserver observer;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition runEnded = lock.newCondition();
    private final Set<AttemptRunner.InFlight> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Slot> slots = new HashMap<>(); // by pool index; only the dispatcher adds
    private final List<RunResult> results = new ArrayList<>();
    private final EnumMap<Outcome, Long> counts = new EnumMap<>(Outcome.class);
    private SparkMetrics spent = SparkMetrics.ZERO;
    private int nextIndex;
    private int active;
    private int peak;
    private volatile String stopReason;
    private volatile boolean interrupted;
    private RuntimeException itemsError;

    /**
     * @param batchId   the batch's id, or null for a fresh one
     * @param indexAt   the item index reported for the n-th item read (identity for a whole batch; the original
     *                  indices when only some items of a batch are run again)
     * @param errorSink receives each failed run's last exception (the live object, for {@code Fanout.run})
     */
    BatchRun(Cluster cluster, Limiter limiter, Ticker ticker, DoubleSupplier random, EngineSettings settings, SparkJob job,
             String batchId, Iterator<? extends Map<String, String>> items, IntUnaryOperator indexAt,
             OptionalLong expected, BiConsumer<Integer, Throwable> errorSink, Gate gate, RunObserver observer) {
        this.cluster = cluster;
        this.limiter = limiter;
        this.ticker = ticker;
        this.random = random;
        this.settings = settings;
        this.job = job;
        this.jobName = job.name();
        this.items = items;
        this.expected = expected;
        this.listeners = new Listeners(settings.listeners());
        this.errorSink = errorSink;
        // Job groups are never reused, also when a batch is resumed in the same application: each execution
        // of a batch has its own random token in its groups.
        String token = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
        this.batchId = batchId != null ? batchId : GROUP_PREFIX + token;
        this.groupPrefix = GROUP_PREFIX + token + "-";
        this.indexAt = indexAt;
        this.gate = gate;
        this.observer = observer;
    }

    /** Items not yet started: the expected count less those read; {@link Long#MAX_VALUE} when the count is unknown. */
    long remaining() {
        if (expected.isEmpty()) {
            return Long.MAX_VALUE;
        }
        lock.lock();
        try {
            return stopReason != null ? 0 : Math.max(0, expected.getAsLong() - nextIndex);
        } finally {
            lock.unlock();
        }
    }

    String batchId() {
        return batchId;
    }

    /** Runs the batch to its end and returns every item's outcome. */
    BatchResult execute() {
        Instant startedAt = settings.clock().instant();
        long cpu0 = processCpuNanos();
        long wall0 = ticker.nanoTime();
        int limit = limiter.limitNow();
        listeners.fire(l -> l.onBatchStart(new FanoutListener.BatchStart(batchId, jobName, limit, startedAt, expected)));
        Object hook = ShutdownHooks.install(() -> stop("the JVM is shutting down", true), this::awaitRunsQuietly);
        try {
            dispatch();
            skipUnclaimed();
        } finally {
            ShutdownHooks.remove(hook);
            slots.values().forEach(Slot::close);
        }
        long cpu1 = processCpuNanos();
        long wall = ticker.nanoTime() - wall0;
        BatchResult result;
        lock.lock();
        try {
            result = new BatchResult(batchId, jobName, peak, startedAt, settings.clock().instant(),
                    counts, settings.retainRuns() ? inIndexOrder(results) : List.of(), interrupted, cost(cpu0, cpu1, wall));
        } finally {
            lock.unlock();
        }
        listeners.fire(l -> l.onBatchEnd(result));
        if (itemsError != null) {
            throw new IllegalArgumentException("reading the items failed after " + result.total() + " items: "
                    + itemsError.getMessage(), itemsError);
        }
        return result;
    }

    /** The runs by item index (a batch started longest first reads its items in another order). */
    private static List<RunResult> inIndexOrder(List<RunResult> runs) {
        List<RunResult> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.nullsLast(java.util.Comparator.comparingInt(RunResult::index)));
        return sorted;
    }

    /** What the batch cost, from the runs' metrics summed so far (under the lock) and the process CPU read around it. */
    private BatchCost cost(long cpu0, long cpu1, long wallNanos) {
        int slots;
        boolean local;
        try {
            Cluster.Capacity c = cluster.capacity();
            local = c.local();
            slots = c.taskSlots();
        } catch (RuntimeException e) { // a stopped SparkContext: the figures that need it are left out
            local = false;
            slots = 0;
        }
        long process = cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0;
        return new BatchCost(process, spent.driverCpuNanos(), spent.cpuTimeNanos(), spent.taskTimeMillis(),
                spent.waitNanos(), wallNanos, Runtime.getRuntime().availableProcessors(), slots, local);
    }

    /** CPU time of this JVM so far (all threads, user + system), -1 when the JVM does not tell. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** Stops the batch: cancels the runs in flight on the cluster, skips the rest. Safe from any thread. */
    void abort(String reason) {
        stop(reason, true);
    }

    /** The dispatcher loop, on the calling thread: a permit, then an item, then a slot; until none is left. */
    private void dispatch() {
        boolean callerInterrupted = false;
        try {
            while (true) {
                Limiter.Permit permit;
                try {
                    if (gate != null) {
                        gate.awaitReady(() -> stopReason != null);
                    }
                    permit = limiter.acquire(() -> stopReason != null);
                } catch (InterruptedException e) {
                    callerInterrupted = true;
                    stop("the calling thread was interrupted", true);
                    continue;
                }
                if (permit == null) {
                    break;
                }
                Claim claim = claim();
                if (claim == null) {
                    limiter.release(permit);
                    break;
                }
                try {
                    slot(permit).start(claim, permit);
                } catch (RuntimeException | Error e) {
                    record(claim.position(), failed(claim, e));
                    ended(permit);
                    throw e;
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("dispatching batch {} failed; stopping it", batchId, e);
            stop("internal error: " + e, false);
        }
        lock.lock();
        try {
            while (active > 0) {
                try {
                    runEnded.await();
                } catch (InterruptedException e) {
                    callerInterrupted = true;
                    lock.unlock();
                    try {
                        stop("the calling thread was interrupted", true);
                    } finally {
                        lock.lock();
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        if (callerInterrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private Slot slot(Limiter.Permit permit) {
        return slots.computeIfAbsent(permit.index(), Slot::new);
    }

    /** A run ended (its result recorded): its permit goes back to the engine. */
    private void ended(Limiter.Permit permit) {
        lock.lock();
        try {
            active--;
            runEnded.signalAll();
        } finally {
            lock.unlock();
        }
        limiter.release(permit);
    }

    /** Waits (real time, bounded) until the runs in flight have ended: for the JVM shutdown hook. */
    private void awaitRunsQuietly(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (active > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                runEnded.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** The threads of one leased pool index in this batch: the slot thread, and the runner behind it. */
    private final class Slot {
        final int index;
        final ExecutorService thread;
        final AttemptRunner runner;

        Slot(int index) {
            this.index = index;
            String name = batchId + "-slot-" + index;
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            this.runner = new AttemptRunner(cluster, ticker, batchId + "-run-" + index, index, cluster.poolName(index), settings);
        }

        void start(Claim claim, Limiter.Permit permit) {
            long startedAt = ticker.nanoTime();
            long token = observer.started();
            thread.execute(() -> run(claim, permit, token, startedAt));
        }

        private void run(Claim claim, Limiter.Permit permit, long token, long startedAt) {
            RunResult result = null;
            try {
                try {
                    result = runItem(runner, claim);
                } catch (RuntimeException | Error e) {
                    LOG.error("slot {} of batch {} failed; stopping the batch", index, batchId, e);
                    stop("internal error in slot " + index + ": " + e, false);
                    result = failed(claim, e);
                }
                record(claim.position(), result);
                if (result.outcome().isFailure() && settings.failurePolicy() == FailurePolicy.FAIL_FAST) {
                    stop("fail-fast: item " + result.index() + " " + result.outcome(), false);
                }
            } finally {
                try {
                    observer.ended(token, startedAt, result == null ? 0 : result.metrics().taskTimeMillis());
                } catch (RuntimeException e) {
                    LOG.warn("the parallelism controller failed on a run's end: {}", e.toString(), e);
                }
                ended(permit);
            }
        }

        void close() {
            thread.shutdown();
            runner.close();
        }
    }

    /** The n-th item read ({@code position}), reported under {@code index}. */
    private record Claim(int position, int index, Map<String, String> params) {}

    /** The result of a run the engine itself failed to run (a bug or no thread to be had), so no item goes missing. */
    private RunResult failed(Claim claim, Throwable e) {
        return new RunResult(claim.index(), runId(claim), claim.params(), Outcome.FAILED, null, List.of(), null, null,
                ErrorInfo.of(e));
    }

    private String runId(Claim claim) {
        return batchId + "-" + claim.index();
    }

    /** The next item, for a permit just taken; null when there is none (or the batch stopped). */
    private Claim claim() {
        lock.lock();
        try {
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
            active++;
            peak = Math.max(peak, active);
            return new Claim(position, indexAt.applyAsInt(position), params);
        } finally {
            lock.unlock();
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
        String runId = runId(claim);
        String groupBase = groupPrefix + claim.index();
        AttemptRunner.InFlight flight = new AttemptRunner.InFlight(ticker);
        inFlight.add(flight);
        if (stopReason != null) {
            flight.cancel(stopReason);
        }
        RunState state = RunState.CLAIMED;
        List<Attempt> attempts = new ArrayList<>();
        AttemptRunner.Ended last = null;
        String description = description(claim.params());
        try {
            for (int n = 1; ; n++) {
                if (flight.cancelReason() != null) {
                    break;
                }
                state = state.check(RunState.RUNNING);
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
                state = state.check(RunState.RETRY_WAIT);
                var delay = settings.retry().backoff(n, random);
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
            state.check(RunState.SKIPPED);
            return new RunResult(claim.index(), runId, claim.params(), Outcome.SKIPPED, null, List.of(), null, null, null);
        }
        Attempt end = last.attempt();
        state.check(RunState.of(end.outcome()));
        if (last.error() != null && end.outcome() == Outcome.FAILED) {
            errorSink.accept(claim.index(), last.error());
        }
        return new RunResult(claim.index(), runId, claim.params(), end.outcome(), last.exitValue(), attempts,
                attempts.get(0).startedAt(), end.endedAt(), end.error());
    }

    private String description(Map<String, String> params) {
        StringBuilder sb = new StringBuilder(jobName);
        settings.redaction().params(params).forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.length() > 300 ? sb.substring(0, 297) + "..." : sb.toString();
    }

    private void record(int position, RunResult result) {
        lock.lock();
        try {
            counts.merge(result.outcome(), 1L, Long::sum);
            spent = spent.plus(result.metrics());
            if (settings.retainRuns()) {
                results.set(position, result);
            }
        } finally {
            lock.unlock();
        }
        listeners.fire(l -> l.onRunEnd(result));
    }

    private void stop(String reason, boolean interrupt) {
        lock.lock();
        try {
            if (stopReason != null) {
                return;
            }
            stopReason = reason;
            interrupted = interrupt;
        } finally {
            lock.unlock();
        }
        LOG.warn("stopping batch {}: {}", batchId, reason);
        limiter.wakeAll();
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
            lock.lock();
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
            } finally {
                lock.unlock();
            }
            RunState.UNCLAIMED.check(RunState.SKIPPED);
            record(claim.position(), new RunResult(claim.index(), runId(claim), claim.params(),
                    Outcome.SKIPPED, null, List.of(), null, null, null));
        }
    }
}
