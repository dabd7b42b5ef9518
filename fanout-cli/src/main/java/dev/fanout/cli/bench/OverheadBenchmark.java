package dev.fanout.cli.bench;

import static dev.fanout.cli.bench.Median.median;

import dev.fanout.BatchResult;
import dev.fanout.Fanout;
import dev.fanout.SparkJob;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;

/**
 * fanout's per-run overhead against a bare {@link ExecutorService} running the same trivial Spark
 * job the same number of times at the same parallelism, measured side by side: the two alternate
 * round by round (bare, fanout, bare, fanout, ...) after a warm-up of each, so drift in the machine
 * hits both. Reports medians of the wall time per batch.
 *
 * <p>The per-run overhead is {@code (fanout - bare) * parallelism / runs}: each slot runs
 * {@code runs / parallelism} items one after another, so that is what one run costs extra.
 */
public final class OverheadBenchmark {
    /** The trivial jobs measured. */
    public enum Workload {
        /** {@code sparkContext.parallelize(1..10, 1).count()}: a one-task RDD job, no SQL session state. */
        RDD,
        /** {@code spark.range(10).count()}: a one-partition SQL job; in fanout each run's own session plans it. */
        SQL,
        /** The SQL job with {@code sessionPerRun(false)}: runs share the session, as in the bare pool. */
        SQL_SHARED_SESSION
    }

    private final SparkSession spark;
    private final int runs;
    private final int parallelism;
    private final int rounds;
    private final PrintStream out;

    public OverheadBenchmark(SparkSession spark, int runs, int parallelism, int rounds, PrintStream out) {
        this.spark = spark;
        this.runs = runs;
        this.parallelism = parallelism;
        this.rounds = rounds;
        this.out = out;
    }

    static SparkJob job(Workload w) {
        return switch (w) {
            case RDD -> ctx -> Long.toString(ctx.spark().sparkContext().parallelize(
                    scala.jdk.javaapi.CollectionConverters.asScala(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)).toSeq(), 1,
                    scala.reflect.ClassTag$.MODULE$.apply(Integer.class)).count());
            case SQL, SQL_SHARED_SESSION -> ctx -> Long.toString(ctx.spark().range(0, 10, 1, 1).count());
        };
    }

    /** Runs every workload and prints a table; returns the per-run overhead in ms, per workload. */
    public Map<Workload, Double> run(List<Workload> workloads) throws Exception {
        out.printf("fanout overhead benchmark: %d runs per batch, parallelism %d, %d rounds per side after a warm-up; master %s%n",
                runs, parallelism, rounds, spark.sparkContext().master());
        Map<Workload, Double> overhead = new java.util.EnumMap<>(Workload.class);
        for (Workload w : workloads) {
            SparkJob job = job(w);
            boolean perRun = w != Workload.SQL_SHARED_SESSION;
            bare(job);
            fanout(job, perRun);
            double[] bare = new double[rounds];
            double[] fan = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                bare[r] = bare(job);
                fan[r] = fanout(job, perRun);
            }
            double mb = median(bare);
            double mf = median(fan);
            double perRunMs = (mf - mb) * parallelism / runs;
            overhead.put(w, perRunMs);
            out.printf("%-18s bare ExecutorService: median %7.0f ms per batch (%s)%n", w, mb, fmt(bare));
            out.printf("%-18s fanout forEach:       median %7.0f ms per batch (%s)%n", w, mf, fmt(fan));
            out.printf("%-18s fanout/bare = %.3f (%+.1f%%); per-run overhead %+.2f ms%n", w, mf / mb, (mf / mb - 1) * 100, perRunMs);
        }
        return overhead;
    }

    private double bare(SparkJob job) throws Exception {
        dev.fanout.JobContext ctx = new dev.fanout.JobContext() {
            @Override
            public SparkSession spark() {
                return spark;
            }

            @Override
            public Map<String, String> params() {
                return Map.of();
            }

            @Override
            public String runId() {
                return "bare";
            }

            @Override
            public int attempt() {
                return 1;
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        try {
            long start = System.nanoTime();
            List<Future<String>> futures = new ArrayList<>(runs);
            for (int i = 0; i < runs; i++) {
                futures.add(pool.submit(() -> job.run(ctx)));
            }
            for (Future<String> f : futures) {
                f.get();
            }
            return (System.nanoTime() - start) / 1e6;
        } finally {
            pool.shutdown();
        }
    }

    private double fanout(SparkJob job, boolean sessionPerRun) {
        Fanout fanout = Fanout.builder(spark).parallelism(parallelism).sessionPerRun(sessionPerRun).build();
        List<Map<String, String>> items = IntStream.range(0, runs).mapToObj(i -> Map.of("i", Integer.toString(i))).toList();
        long start = System.nanoTime();
        BatchResult r = fanout.forEach(job, items);
        double ms = (System.nanoTime() - start) / 1e6;
        if (!r.succeeded()) {
            throw new IllegalStateException("benchmark batch failed: " + r.counts());
        }
        return ms;
    }

    private static String fmt(double[] xs) {
        return String.join(" ", Arrays.stream(xs).mapToObj(x -> String.format("%.0f", x)).toList());
    }
}
