package dev.fanout;

import dev.fanout.internal.BatchIds;
import dev.fanout.internal.engine.BatchRequest;
import dev.fanout.internal.engine.Engine;
import dev.fanout.internal.engine.EngineSettings;
import dev.fanout.internal.spark.ExecutorTracker;
import dev.fanout.internal.spark.SchedulerPools;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a {@link SparkJob} once, or over many parameter sets in parallel, inside one Spark application.
 *
 * <pre>{@code
 * SparkSession spark = Fanout.sessionBuilder(8, 1).master("local[*]").getOrCreate();
 * Fanout fanout = Fanout.builder(spark)
 *         .parallelism(8)
 *         .timeout(Duration.ofMinutes(10))
 *         .retry(RetryPolicy.retries(2))
 *         .build();
 * BatchResult result = fanout.forEach(new DailyMetrics(), days);   // days: Iterable<Map<String, String>>
 * String one = fanout.run(new DailyMetrics(), Map.of("day", "2024-01-01"));
 * }</pre>
 *
 * <p>Each run gets its own {@code newSession()}, a job group that is never reused, a description
 * ({@code JobName key=value ...}) and its slot's FAIR pool; a run past its timeout has its Spark jobs
 * cancelled and its slot is reused only once its tasks have stopped. A {@code Fanout} is
 * thread-safe and may run several batches at once (each with its own slots).
 */
public final class Fanout {
    private final SparkSession spark;
    private final EngineSettings settings;
    private final Engine engine;

    private Fanout(SparkSession spark, EngineSettings settings) {
        this.spark = spark;
        this.settings = settings;
        this.engine = new Engine(spark, settings);
    }

    /** Starts configuring fanout on an existing session. */
    public static Builder builder(SparkSession spark) {
        return new Builder(spark);
    }

    /**
     * A session builder in FAIR scheduling mode with one pool per slot, of the given weight. Add the
     * master and any other settings, then {@code getOrCreate()}. Must be used before the SparkContext
     * starts: the scheduling mode and pool weights are fixed from then on.
     */
    public static SparkSession.Builder sessionBuilder(int slots, int poolWeight) {
        Builder.positive("slots", slots);
        Builder.positive("poolWeight", poolWeight);
        SparkSession.Builder b = SparkSession.builder();
        SchedulerPools.fairConf(slots, poolWeight, 0).forEach(b::config);
        // Registered before the context starts, the executor tracker sees every executor from the first
        // (Parallelism.auto()); listeners given by spark-submit's --conf are kept.
        String listeners = new org.apache.spark.SparkConf().get(ExecutorTracker.CONF, "").trim();
        String tracker = ExecutorTracker.class.getName();
        b.config(ExecutorTracker.CONF, listeners.isEmpty() ? tracker
                : listeners.contains(tracker) ? listeners : listeners + "," + tracker);
        return b;
    }

    /**
     * Runs {@code job} once and returns its exit value.
     *
     * @throws RunFailedException    the job failed (after its retries); the cause is the job's own exception
     * @throws RunTimedOutException  the run passed its timeout; its Spark jobs were cancelled
     * @throws RunCancelledException the run was cancelled by {@link #abort} or JVM shutdown
     */
    public String run(SparkJob job, Map<String, String> params) throws FanoutException {
        AtomicReference<Throwable> cause = new AtomicReference<>();
        BatchResult batch = execute(job, null, List.of(params).iterator(), i -> i, OptionalLong.of(1), (i, t) -> cause.set(t));
        RunResult r = batch.runs().get(0);
        String what = job.name() + " " + params;
        return switch (r.outcome()) {
            case SUCCEEDED -> r.exitValue();
            case FAILED -> throw new RunFailedException(what + " failed after " + r.attempts().size() + " attempt(s): "
                    + r.error().firstLine(), cause.get(), r);
            case TIMED_OUT -> throw new RunTimedOutException(what + " " + r.error().message(), r);
            case CANCELLED, SKIPPED -> throw new RunCancelledException(what + " was cancelled"
                    + (r.error() == null ? "" : ": " + r.error().message()), r);
        };
    }

    /**
     * Runs {@code job} once per item, at most {@code parallelism} at a time, and returns every item's
     * outcome in input order. Items are read lazily, one as each slot frees up. Never throws for a
     * failing run: look at the result. Interrupting the calling thread stops the batch (in-flight runs
     * CANCELLED, the rest SKIPPED) and returns the result with the interrupt flag set again.
     */
    public BatchResult forEach(SparkJob job, Iterable<? extends Map<String, String>> items) {
        Objects.requireNonNull(items, "items");
        OptionalLong expected = items instanceof Collection<?> c ? OptionalLong.of(c.size()) : OptionalLong.empty();
        return execute(Objects.requireNonNull(job, "job"), null, items.iterator(), i -> i, expected, (i, t) -> { });
    }

    /**
     * Runs {@code job} for the given items of a batch under the batch's id, each reported under its own
     * index (the map's key), in index order: how a batch is resumed, running only the items that did not
     * succeed. Spark job groups stay unique (each execution has its own), so this is safe within the same
     * application as the first execution.
     */
    public BatchResult forEach(SparkJob job, String batchId, SortedMap<Integer, ? extends Map<String, String>> items) {
        Objects.requireNonNull(job, "job");
        if (batchId == null || batchId.isBlank()) {
            throw new IllegalArgumentException("batchId must not be blank");
        }
        int[] indices = items.keySet().stream().mapToInt(Integer::intValue).toArray();
        for (int i : indices) {
            if (i < 0) {
                throw new IllegalArgumentException("item indices must be 0 or more, got " + i);
            }
        }
        List<Map<String, String>> values = new ArrayList<>(items.values());
        return execute(job, batchId, values.iterator(), position -> indices[position], OptionalLong.of(values.size()), (i, t) -> { });
    }

    /** Stops every batch this instance is running: in-flight runs are cancelled on the cluster, the rest skipped. */
    public void abort(String reason) {
        engine.abort(reason);
    }

    private BatchResult execute(SparkJob job, String batchId, Iterator<? extends Map<String, String>> items,
                                java.util.function.IntUnaryOperator indexAt, OptionalLong expected,
                                java.util.function.BiConsumer<Integer, Throwable> errors) {
        String id = batchId != null ? batchId : BatchIds.next(settings.clock());
        return engine.run(new BatchRequest(job, id, items, indexAt, expected, errors, List.of()));
    }

    /** How many runs this instance has in flight at once, as configured ({@link Builder#parallelism(Parallelism)}). */
    public Parallelism parallelism() {
        return settings.parallelism();
    }

    /** Configures a {@link Fanout}; each setter rejects a bad value at once with a message naming it. */
    public static final class Builder {
        private final SparkSession spark;
        private Parallelism parallelism = Parallelism.fixed(Math.max(2, Runtime.getRuntime().availableProcessors()));
        private Duration timeout;
        private RetryPolicy retry = RetryPolicy.none();
        private FailurePolicy failurePolicy = FailurePolicy.CONTINUE;
        private int poolWeight = 1;
        private final List<FanoutListener> listeners = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private boolean retainRuns = true;
        private Duration cancelGrace = Duration.ofSeconds(60);
        private boolean sessionPerRun = true;
        private Redaction redaction = Redaction.defaults();

        private Builder(SparkSession spark) {
            this.spark = Objects.requireNonNull(spark, "spark");
        }

        /**
         * At most this many runs in flight at once, over everything this {@code Fanout} runs (default: the driver's
         * cores, at least 2). Same as {@code parallelism(Parallelism.fixed(n))}.
         */
        public Builder parallelism(int parallelism) {
            return parallelism(Parallelism.fixed(parallelism));
        }

        /**
         * How many runs this {@code Fanout} has in flight at once: {@link Parallelism#fixed}, or
         * {@link Parallelism#auto()} to follow the cluster's executors as they come and go. The limit holds for
         * everything the {@code Fanout} runs together (two batches from two threads share it), and its
         * {@link Parallelism#max()} is the number of FAIR pools the runs use.
         */
        public Builder parallelism(Parallelism parallelism) {
            this.parallelism = Objects.requireNonNull(parallelism, "parallelism");
            return this;
        }

        /** Per-attempt deadline; null for none (the default). */
        public Builder timeout(Duration timeout) {
            if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        public Builder failurePolicy(FailurePolicy failurePolicy) {
            this.failurePolicy = Objects.requireNonNull(failurePolicy, "failurePolicy");
            return this;
        }

        /** Shorthand for {@code failurePolicy(FAIL_FAST)}. */
        public Builder failFast() {
            return failurePolicy(FailurePolicy.FAIL_FAST);
        }

        /**
         * The FAIR weight each slot's pool should have (default 1). Weights take effect only for a
         * session built with {@link Fanout#sessionBuilder}; otherwise fanout warns once.
         */
        public Builder poolWeight(int poolWeight) {
            this.poolWeight = positive("poolWeight", poolWeight);
            return this;
        }

        public Builder listener(FanoutListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The clock for start and end times (tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether batch results keep every run (default true); false keeps only the counts, for very large batches. */
        public Builder retainRuns(boolean retainRuns) {
            this.retainRuns = retainRuns;
            return this;
        }

        /** After a cancel, how long a slot waits for the run's thread and Spark tasks to stop (default 60s). */
        public Builder cancelGrace(Duration cancelGrace) {
            if (cancelGrace == null || cancelGrace.isNegative()) {
                throw new IllegalArgumentException("cancelGrace must be zero or positive, got " + cancelGrace);
            }
            this.cancelGrace = cancelGrace;
            return this;
        }

        /**
         * Whether each run gets its own {@code newSession()} (default true): private temp views, SQL
         * conf, UDFs and current database. Building a session's state costs Spark roughly 10-20 ms of
         * driver CPU on the run's first query; for many tiny SQL runs that never touch session state,
         * {@code false} lets every run use the given session (job group, pool and description stay per run).
         */
        public Builder sessionPerRun(boolean sessionPerRun) {
            this.sessionPerRun = sessionPerRun;
            return this;
        }

        /**
         * Which parameters are secrets (default {@link Redaction#defaults()}): their values never appear in
         * Spark job descriptions (the Spark UI, event logs) or fanout's logs.
         */
        public Builder redaction(Redaction redaction) {
            this.redaction = Objects.requireNonNull(redaction, "redaction");
            return this;
        }

        public Fanout build() {
            SchedulerPools.check(spark.sparkContext(), parallelism.max(), poolWeight);
            return new Fanout(spark, new EngineSettings(parallelism, timeout, retry, failurePolicy, listeners, clock,
                    retainRuns, cancelGrace, sessionPerRun, redaction));
        }

        static int positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, got " + value);
            }
            return value;
        }
    }
}
