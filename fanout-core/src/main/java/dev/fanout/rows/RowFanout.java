package dev.fanout.rows;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Applies a {@link RowFunction} — typically a web API call — to every row of a Dataset, on the executors: each Spark
 * task calls its partition's rows asynchronously, at most {@code concurrency} at once, paced to its share of the
 * global {@code rate}, with a per-call timeout and retries with exponential backoff for retryable failures.
 *
 * <p>Every input row comes out exactly once, with five columns added: {@code result} (null on error), {@code error}
 * (null on success), {@code error_kind}, {@code attempts} and {@code latency_ms} (of the last call). A failed call
 * never fails the Spark job nor drops the row.
 *
 * <pre>{@code
 * Dataset<Row> priced = RowFanout.builder().concurrency(8).rate(100).build()
 *         .apply(items, HttpRowFunction.get("https://api.example.com/items/{id}").field("price", "/price", "double").build());
 * priced.write().parquet("priced");   // write (or persist) once: every action on the result calls the API again
 * }</pre>
 *
 * <p>The result is lazy like any Dataset: each action re-runs the calls. Write it once, or {@code persist()} it
 * before using it twice. If Spark re-runs a task (a lost executor), that task's rows are called again — rows are
 * exactly once in the output, calls are at least once.
 */
public final class RowFanout {
    /** The names of the added columns, in order (with the builder's prefix in front). */
    public static final List<String> COLUMNS = List.of("result", "error", "error_kind", "attempts", "latency_ms");

    private final int concurrency;
    private final double rate;
    private final Duration timeout;
    private final int retries;
    private final Duration backoff;
    private final Duration maxBackoff;
    private final Duration maxRetryAfter;
    private final Integer partitions;
    private final String prefix;

    private RowFanout(Builder b) {
        this.concurrency = b.concurrency;
        this.rate = b.rate;
        this.timeout = b.timeout;
        this.retries = b.retries;
        this.backoff = b.backoff;
        this.maxBackoff = b.maxBackoff;
        this.maxRetryAfter = b.maxRetryAfter;
        this.partitions = b.partitions;
        this.prefix = b.prefix;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The input with the result columns added; lazy: see the class comment. */
    public Dataset<Row> apply(Dataset<Row> input, RowFunction fn) {
        return prepare(input, fn, false).dataset();
    }

    /**
     * As {@link #apply}, with counters to follow it from the driver while an action runs (rows done, errors, calls).
     * Close the counters when done.
     */
    public Tracked prepare(Dataset<Row> input, RowFunction fn) {
        return prepare(input, fn, true);
    }

    private Tracked prepare(Dataset<Row> input, RowFunction fn, boolean follow) {
        Objects.requireNonNull(fn, "fn");
        StructType schema = input.schema();
        fn.validate(schema);
        for (String c : COLUMNS) {
            for (String have : schema.fieldNames()) {
                if (have.equalsIgnoreCase(prefix + c)) { // Spark resolves column names case-insensitively
                    throw new IllegalArgumentException("the input already has a column named '" + have
                            + "'; rename it, or give a prefix for the added columns (RowFanout.Builder.columnPrefix)");
                }
            }
        }
        SparkSession spark = input.sparkSession();
        int slots = Math.max(1, spark.sparkContext().defaultParallelism());
        int current = input.rdd().getNumPartitions();
        // With a rate, as many partitions as task slots, each with rate / partitions: the sum holds even if more
        // executors come (dynamic allocation) and let more partitions run at once than were counted here.
        int n = partitions != null ? partitions : rate > 0 ? slots : Math.max(current, slots);
        Dataset<Row> parts = n == current ? input : input.repartition(n);
        int runningAtOnce = Math.min(n, slots);
        CallSettings settings = new CallSettings(concurrency, rate > 0 ? rate / n : 0, timeout, retries,
                backoff, maxBackoff, maxRetryAfter);
        DataType resultType = fn.resultType();
        StructType out = schema
                .add(prefix + "result", resultType, true)
                .add(prefix + "error", DataTypes.StringType, true)
                .add(prefix + "error_kind", DataTypes.StringType, true)
                .add(prefix + "attempts", DataTypes.IntegerType, false)
                .add(prefix + "latency_ms", DataTypes.LongType, false);
        RowCounters counters = new RowCounters(spark.sparkContext(), follow);
        Dataset<Row> result = parts.mapPartitions(
                new PartitionMapper(fn, settings, resultType, counters.accumulators()), Encoders.row(out));
        return new Tracked(result, counters, n, runningAtOnce, settings.ratePerSecond());
    }

    /**
     * A prepared fan-out.
     *
     * @param partitions        the Spark partitions (tasks) the rows are spread over
     * @param runningAtOnce     partitions that can run at once with the task slots counted at the start
     * @param ratePerPartition  calls per second each partition may start (0: no limit)
     */
    public record Tracked(Dataset<Row> dataset, RowCounters counters, int partitions, int runningAtOnce,
                          double ratePerPartition) implements AutoCloseable {
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

        /** Calls in flight at once in each partition (default 8). */
        public Builder concurrency(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1, got " + n);
            }
            this.concurrency = n;
            return this;
        }

        /**
         * Calls per second over the whole cluster, retries included (default: no limit). Split evenly over the
         * partitions, which then default to the cluster's task slots so that all of them run at once.
         */
        public Builder rate(double callsPerSecond) {
            if (!(callsPerSecond >= 0) || Double.isInfinite(callsPerSecond)) {
                throw new IllegalArgumentException("rate must be a positive number of calls per second, got " + callsPerSecond);
            }
            this.rate = callsPerSecond;
            return this;
        }

        /** Per call (default 30s); a call past it counts as a retryable {@code timeout}. */
        public Builder timeout(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + d);
            }
            this.timeout = d;
            return this;
        }

        /** Calls after the first for a retryable failure: 429, 5xx, timeouts, I/O errors (default 3). */
        public Builder retries(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("retries must be 0 or more, got " + n);
            }
            this.retries = n;
            return this;
        }

        /** The first retry's wait (default 200ms), doubled each time up to {@code max} (default 10s), with jitter. */
        public Builder backoff(Duration first, Duration max) {
            if (first == null || first.isNegative() || max == null || max.compareTo(first) < 0) {
                throw new IllegalArgumentException("backoff: give 0 <= first <= max, got " + first + " and " + max);
            }
            this.backoff = first;
            this.maxBackoff = max;
            return this;
        }

        /** The longest {@code Retry-After} honoured (default 60s); a longer one ends the row with its error. */
        public Builder maxRetryAfter(Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("maxRetryAfter must be 0 or more, got " + d);
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
                throw new IllegalArgumentException("partitions must be at least 1, got " + n);
            }
            this.partitions = n;
            return this;
        }

        /** A prefix for the added columns' names, e.g. {@code "api_"} (default none). */
        public Builder columnPrefix(String p) {
            this.prefix = Objects.requireNonNull(p, "prefix");
            return this;
        }

        public RowFanout build() {
            return new RowFanout(this);
        }
    }
}
