package dev.fanout.rows;

import dev.fanout.internal.Backoff;
import dev.fanout.internal.spark.ExecutorTracker;
import dev.fanout.internal.spark.RunScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link RowFunction} — typically a web API call — to every row of a Dataset, on the executors: each Spark
 * task calls its partition's rows asynchronously, at most {@code concurrency} at once, paced to its share of the
 * global {@code rate}, with a per-call timeout and retries with exponential backoff for retryable failures.
 *
 * <p>Every input row comes out exactly once, with five columns added: {@code result} (null on error), {@code error}
 * (null on success), {@code error_kind}, {@code attempts} and {@code latency_ms} (of the last call). A failed call
 * never fails the Spark job nor drops the row. With {@link Builder#flattenFields}, a struct result becomes one column
 * per field instead (CSV cannot hold a struct).
 *
 * <pre>{@code
 * RowFanout fanout = RowFanout.builder().concurrency(8).rate(100).flattenFields(true).build();
 * HttpRowFunction price = HttpRowFunction.get("https://api.example.com/items/{id}").field("price", "/price", "double").build();
 * try (RowFanout.Tracked t = fanout.prepare(RowInput.of(Path.of("items.csv")).read(spark), price)) {
 *     t.write(RowOutput.to(Path.of("priced.csv")).build());   // one file, input order; t.cancel() from another thread stops it
 * }
 * }</pre>
 *
 * <p>The result is lazy like any Dataset: each action re-runs the calls. Write it once, or {@code persist()} it
 * before using it twice. If Spark re-runs a task (a lost executor), that task's rows are called again — rows are
 * exactly once in the output, calls are at least once.
 *
 * <p><b>Sizing.</b> The partitions are sized from the cluster's task slots when the fan-out is prepared. On a
 * cluster whose executors are still registering (an application just started) that number is too low, so
 * {@link #prepare} and {@link #apply} first wait, at most {@link Builder#executorWait}, until executors have registered
 * and none has joined for 3 s. That wait needs to have seen the executors from the start (Spark's
 * {@code spark.extraListeners} holding fanout's tracker, as {@code Fanout.sessionBuilder} and the command line set
 * it); on a session started without it (a notebook's), executors already registered are taken as they are, without
 * waiting. Local mode never waits.
 */
public final class RowFanout {
    private static final Logger LOG = LoggerFactory.getLogger(RowFanout.class);
    private static final Duration SETTLE = Duration.ofSeconds(3);

    /** The names of the added columns, in order (with the builder's prefix in front). */
    public static final List<String> COLUMNS = List.of("result", "error", "error_kind", "attempts", "latency_ms");

    /** A prepared fan-out's hidden column: each row's position in the input, to write the rows back in that order. */
    static final String ORDINAL = "__fanout_input_position";

    private final int concurrency;
    private final double rate;
    private final Duration timeout;
    private final int retries;
    private final Backoff backoff;
    private final Duration maxRetryAfter;
    private final Integer partitions;
    private final String prefix;
    private final boolean flatten;
    private final Duration executorWait;

    private RowFanout(Builder b) {
        this.concurrency = b.concurrency;
        this.rate = b.rate;
        this.timeout = b.timeout;
        this.retries = b.retries;
        this.backoff = new Backoff(b.backoff, b.maxBackoff, 2.0, 0.5); // "equal jitter": half fixed, half random
        this.maxRetryAfter = b.maxRetryAfter;
        this.partitions = b.partitions;
        this.prefix = b.prefix;
        this.flatten = b.flatten;
        this.executorWait = b.executorWait;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The input with the result columns added; lazy: see the class comment.
     *
     * @throws IllegalArgumentException (a {@link RowSettingException} for the fan-out's and HTTP function's settings)
     *                                  when the function does not fit the input, or an added column exists already
     */
    public Dataset<Row> apply(Dataset<Row> input, RowFunction fn) {
        return prepare(input, fn, false).dataset();
    }

    /**
     * As {@link #apply}, with counters to follow it from the driver while an action runs (rows done, errors, calls),
     * and a {@link Tracked#write} that keeps the input's order and can be cancelled. Close it when done.
     */
    public Tracked prepare(Dataset<Row> input, RowFunction fn) {
        return prepare(input, fn, true);
    }

    private Tracked prepare(Dataset<Row> input, RowFunction fn, boolean follow) {
        Objects.requireNonNull(fn, "fn");
        StructType schema = input.schema();
        fn.validate(schema);
        for (String c : COLUMNS) {
            String have = column(schema, prefix + c);
            if (have != null) { // Spark resolves column names case-insensitively
                throw new RowSettingException("input", " already has a column named '" + have
                        + "'; rename it, or give a prefix for the added columns: ", "columnPrefix", "");
            }
        }
        if (column(schema, ORDINAL) != null) {
            throw new RowSettingException("input", " has a column named '" + ORDINAL + "', which fanout uses itself; rename it");
        }
        DataType resultType = fn.resultType();
        if (flatten && resultType instanceof StructType struct) {
            for (StructField f : struct.fields()) {
                String name = prefix + f.name();
                if (column(schema, name) != null || COLUMNS.stream().anyMatch(c -> (prefix + c).equalsIgnoreCase(name))) {
                    throw new RowSettingException("field", " " + f.name() + ": the output already has a column named '" + name
                            + "'; give the field another name");
                }
            }
        }
        SparkSession spark = input.sparkSession();
        Optional<ExecutorWait> waited = awaitExecutors(spark.sparkContext());
        int slots = Math.max(1, spark.sparkContext().defaultParallelism());
        int current = input.rdd().getNumPartitions();
        // With a rate, as many partitions as task slots, each with rate / partitions: the sum holds even if more
        // executors come (dynamic allocation) and let more partitions run at once than were counted here.
        int n = partitions != null ? partitions : rate > 0 ? slots : Math.max(current, slots);
        // A prepared fan-out numbers the rows before they are spread, to write them back in input order.
        Dataset<Row> numbered = follow ? input.withColumn(ORDINAL, functions.monotonically_increasing_id()) : input;
        Dataset<Row> parts = n == current ? numbered : numbered.repartition(n);
        int runningAtOnce = Math.min(n, slots);
        CallSettings settings = new CallSettings(concurrency, rate > 0 ? rate / n : 0, timeout, retries, backoff, maxRetryAfter);
        StructType out = schema
                .add(prefix + "result", resultType, true)
                .add(prefix + "error", DataTypes.StringType, true)
                .add(prefix + "error_kind", DataTypes.StringType, true)
                .add(prefix + "attempts", DataTypes.IntegerType, false)
                .add(prefix + "latency_ms", DataTypes.LongType, false);
        if (follow) {
            out = out.add(ORDINAL, DataTypes.LongType, false);
        }
        RowCounters counters = new RowCounters(spark.sparkContext(), follow);
        Dataset<Row> result = parts.mapPartitions(new PartitionMapper(fn, settings, resultType, counters.accumulators(),
                follow ? schema : null), Encoders.row(out));
        Dataset<Row> shaped = flatten && resultType instanceof StructType struct ? flatten(result, schema, struct) : result;
        return new Tracked(shaped, counters, n, runningAtOnce, settings.ratePerSecond(), waited.orElse(null), follow);
    }

    /** The name {@code schema} has for {@code name} (in any case), or null. */
    private static String column(StructType schema, String name) {
        for (String have : schema.fieldNames()) {
            if (have.equalsIgnoreCase(name)) {
                return have;
            }
        }
        return null;
    }

    /** The input's columns, one per field of the struct result, the other added columns, then the hidden ones. */
    private Dataset<Row> flatten(Dataset<Row> out, StructType input, StructType result) {
        List<Column> cols = new ArrayList<>();
        for (String name : input.fieldNames()) {
            cols.add(col(name));
        }
        for (StructField f : result.fields()) {
            cols.add(col(prefix + "result").getField(f.name()).as(prefix + f.name()));
        }
        for (String name : COLUMNS.subList(1, COLUMNS.size())) {
            cols.add(col(prefix + name));
        }
        if (List.of(out.columns()).contains(ORDINAL)) {
            cols.add(col(ORDINAL));
        }
        return out.select(cols.toArray(new Column[0]));
    }

    private static Column col(String name) {
        return functions.col("`" + name.replace("`", "``") + "`");
    }

    /** On a cluster the partitions are sized from the task slots: wait (bounded) for the executors to register. */
    private Optional<ExecutorWait> awaitExecutors(SparkContext sc) {
        if (sc.isLocal() || executorWait.isZero()) {
            return Optional.empty();
        }
        long t0 = System.nanoTime();
        ExecutorTracker tracker = ExecutorTracker.of(sc); // seeded with the executors already there, then follows them
        int seen;
        try {
            seen = tracker.awaitExecutors(executorWait, SETTLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            seen = tracker.executors();
        }
        ExecutorWait w = new ExecutorWait(seen, Duration.ofNanos(System.nanoTime() - t0), executorWait);
        if (seen == 0) {
            LOG.warn("no executor registered within {}; sizing the partitions from {} task slots", executorWait,
                    sc.defaultParallelism());
        } else {
            LOG.info(String.format(Locale.ROOT, "%d executor(s) registered in %.1fs", seen, w.waited().toMillis() / 1e3));
        }
        return Optional.of(w);
    }

    /**
     * How the wait for executors went (on a cluster only).
     *
     * @param executors the executors registered when the partitions were sized; 0 when none came within {@code limit}
     * @param waited    how long it waited
     * @param limit     the longest it would have waited ({@link Builder#executorWait})
     */
    public record ExecutorWait(int executors, Duration waited, Duration limit) {}

    /**
     * A prepared fan-out: its lazy result, counters to follow it, how it was sized, and a write of it that keeps the
     * input's order and that {@link #cancel()} stops (the Spark jobs of the write run in their own job group, with
     * interrupt-on-cancel, set through the same scope helper as the engine's runs).
     */
    public static final class Tracked implements AutoCloseable {
        private final Dataset<Row> withPosition;
        private final Dataset<Row> dataset;
        private final RowCounters counters;
        private final int partitions;
        private final int runningAtOnce;
        private final double ratePerPartition;
        private final ExecutorWait executorWait;
        private final String group = "fanout-rows-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
        private final AtomicBoolean cancelled = new AtomicBoolean();

        private Tracked(Dataset<Row> result, RowCounters counters, int partitions, int runningAtOnce, double ratePerPartition,
                        ExecutorWait executorWait, boolean positioned) {
            this.withPosition = result; // the write's input; only a prepared (positioned) fan-out is handed out
            this.dataset = positioned ? result.drop(ORDINAL) : result;
            this.counters = counters;
            this.partitions = partitions;
            this.runningAtOnce = runningAtOnce;
            this.ratePerPartition = ratePerPartition;
            this.executorWait = executorWait;
        }

        /** The input with the result columns added; lazy: every action on it calls again. */
        public Dataset<Row> dataset() {
            return dataset;
        }

        public RowCounters counters() {
            return counters;
        }

        /** The Spark partitions (tasks) the rows are spread over. */
        public int partitions() {
            return partitions;
        }

        /** Partitions that can run at once with the task slots counted at the start. */
        public int runningAtOnce() {
            return runningAtOnce;
        }

        /** Calls per second each partition may start (0: no limit). */
        public double ratePerPartition() {
            return ratePerPartition;
        }

        /** How the wait for executors went; empty in local mode (no wait). */
        public Optional<ExecutorWait> executorWait() {
            return Optional.ofNullable(executorWait);
        }

        /**
         * Makes the calls and writes the rows to {@code out}, blocking until written; in {@link RowOutput.Layout#FILE},
         * in input order.
         *
         * @throws CancellationException when {@link #cancel()} stopped it; the output is then not written
         */
        public void write(RowOutput out) {
            checkNotCancelled(out);
            SparkSession spark = withPosition.sparkSession();
            try (RunScope scope = RunScope.group(spark, group, "fanout rows to " + out.path().getFileName())) {
                checkNotCancelled(out); // a cancel() before the group was set cancelled nothing
                out.write(withPosition, ORDINAL);
            } catch (Exception e) { // Spark's checked SparkException arrives unchecked from Scala; rethrown as it is
                if (cancelled.get() && !(e instanceof CancellationException)) {
                    CancellationException c = new CancellationException("the calls were stopped and " + out.path()
                            + " was not written");
                    c.initCause(e);
                    throw c;
                }
                throw e;
            }
        }

        private void checkNotCancelled(RowOutput out) {
            if (cancelled.get()) {
                throw new CancellationException("cancelled before the calls started; " + out.path() + " was not written");
            }
        }

        /**
         * Stops a {@link #write} in progress, from any thread: its Spark jobs are cancelled and their tasks interrupted,
         * which stops the calls (rows not yet called are never called). A later write is refused.
         */
        public void cancel() {
            cancelled.set(true);
            withPosition.sparkSession().sparkContext().cancelJobGroup(group);
        }

        /** Whether {@link #cancel()} was called. */
        public boolean isCancelled() {
            return cancelled.get();
        }

        @Override
        public void close() {
            counters.close();
        }
    }

    public static final class Builder {
        private int concurrency = 8;
        private double rate;
        private Duration timeout = Duration.ofSeconds(30);
        private int retries = 3;
        private Duration backoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration maxRetryAfter = Duration.ofSeconds(60);
        private Integer partitions;
        private String prefix = "";
        private boolean flatten;
        private Duration executorWait = Duration.ofSeconds(60);

        /** Calls in flight at once in each partition (default 8). */
        public Builder concurrency(int n) {
            if (n < 1) {
                throw new RowSettingException("concurrency", " must be at least 1, got " + n);
            }
            this.concurrency = n;
            return this;
        }

        /**
         * Calls per second over the whole cluster, retries included (default: no limit). Split evenly over the
         * partitions, which then default to the cluster's task slots so that all of them run at once.
         */
        public Builder rate(double callsPerSecond) {
            if (!(callsPerSecond > 0) || Double.isInfinite(callsPerSecond)) {
                throw new RowSettingException("rate", " must be a positive number of calls per second, got " + callsPerSecond);
            }
            this.rate = callsPerSecond;
            return this;
        }

        /** Per call (default 30s); a call past it counts as a retryable {@code timeout}. */
        public Builder timeout(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new RowSettingException("timeout", " must be positive, got " + d);
            }
            this.timeout = d;
            return this;
        }

        /** Calls after the first for a retryable failure: 429, 5xx, timeouts, I/O errors (default 3). */
        public Builder retries(int n) {
            if (n < 0) {
                throw new RowSettingException("retries", " must be 0 or more, got " + n);
            }
            this.retries = n;
            return this;
        }

        /**
         * The first retry's wait (default 200ms), doubled each time up to {@code max} (default 10s), then shortened by
         * a random fraction of up to a half ("equal jitter").
         */
        public Builder backoff(Duration first, Duration max) {
            if (first == null || first.isNegative() || max == null || max.compareTo(first) < 0) {
                throw new RowSettingException("backoff", ": give 0 <= first <= max, got " + first + " and " + max);
            }
            this.backoff = first;
            this.maxBackoff = max;
            return this;
        }

        /** The longest {@code Retry-After} honoured (default 60s); a longer one ends the row with its error. */
        public Builder maxRetryAfter(Duration d) {
            if (d == null || d.isNegative()) {
                throw new RowSettingException("maxRetryAfter", " must be 0 or more, got " + d);
            }
            this.maxRetryAfter = d;
            return this;
        }

        /**
         * The Spark partitions to spread the rows over (default: the input's, or the cluster's task slots when the
         * input has fewer — a small file is one partition, which would call from one executor only).
         */
        public Builder partitions(int n) {
            if (n < 1) {
                throw new RowSettingException("partitions", " must be at least 1, got " + n);
            }
            this.partitions = n;
            return this;
        }

        /** A prefix for the added columns' names, e.g. {@code "api_"} (default none). */
        public Builder columnPrefix(String p) {
            if (p == null) {
                throw new RowSettingException("columnPrefix", " must not be null");
            }
            this.prefix = p;
            return this;
        }

        /**
         * Whether a struct result (an {@link HttpRowFunction}'s fields) becomes one column per field, named as the
         * field (with the prefix), in place of {@code result} (default false: one struct column).
         */
        public Builder flattenFields(boolean flatten) {
            this.flatten = flatten;
            return this;
        }

        /**
         * On a cluster, the longest wait for executors to register before the partitions are sized from their task
         * slots (default 60s; zero: no wait). Not used in local mode, nor when executors are there already.
         */
        public Builder executorWait(Duration d) {
            if (d == null || d.isNegative()) {
                throw new RowSettingException("executorWait", " must be 0 or more, got " + d);
            }
            this.executorWait = d;
            return this;
        }

        public RowFanout build() {
            return new RowFanout(this);
        }
    }
}
