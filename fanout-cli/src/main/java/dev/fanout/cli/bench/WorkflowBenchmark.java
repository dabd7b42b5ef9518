package dev.fanout.cli.bench;

import dev.fanout.BatchResult;
import dev.fanout.Fanout;
import dev.fanout.Items;
import dev.fanout.JobContext;
import dev.fanout.SparkJob;
import dev.fanout.history.HistoryStore;
import dev.fanout.report.Reports;
import dev.fanout.workflow.Workflow;
import dev.fanout.workflow.WorkflowResult;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * What running items as a workflow's loop costs over running them as a plain batch: the same trivial job over the same
 * N items, at the same parallelism, each round with a fresh SQLite history — once through {@code Fanout.forEach}, once
 * as a workflow of one {@code for_each} task ({@code Fanout.run(workflow, params)}) — alternating round by round after
 * a warm-up of each, so drift in the machine hits both. Prints the medians of wall time and of the process's CPU time
 * per batch, the overhead per iteration ({@code (workflow - foreach) * parallelism / N}), and how long the history's
 * reads and the report of the last workflow run take (the history stays responsive with N iterations).
 */
public final class WorkflowBenchmark {
    /** The trivial job: a one-partition SQL count. */
    public static final class Trivial implements SparkJob {
        @Override
        public String run(JobContext ctx) {
            return Long.toString(ctx.spark().range(0, 10, 1, 1).count());
        }
    }

    private final SparkSession spark;
    private final int iterations;
    private final int parallelism;
    private final int rounds;
    private final PrintStream out;
    private final Path dir;

    public WorkflowBenchmark(SparkSession spark, int iterations, int parallelism, int rounds, PrintStream out) throws IOException {
        this.spark = spark;
        this.iterations = iterations;
        this.parallelism = parallelism;
        this.rounds = rounds;
        this.out = out;
        this.dir = Files.createTempDirectory("fanout-bench-workflow");
    }

    /** One measured batch: wall and process CPU milliseconds. */
    private record Sample(double wallMs, double cpuMs) {}

    public void run() throws Exception {
        Path file = dir.resolve("bench.yml");
        Files.writeString(file, """
                name: bench
                tasks:
                  - key: each
                    for_each: [{items: {range: "1..%d"}, as: n}]
                    job: %s
                    params: {n: "{{n}}"}
                """.formatted(iterations, Trivial.class.getName()));
        Workflow workflow = Workflow.read(file);
        out.printf("workflow overhead benchmark: %d iterations of a trivial SQL job, parallelism %d, a fresh SQLite history"
                + " per batch, %d rounds per side after a warm-up; master %s%n", iterations, parallelism, rounds,
                spark.sparkContext().master());
        foreach(0);
        workflow(workflow, 0);
        Sample[] plain = new Sample[rounds];
        Sample[] wf = new Sample[rounds];
        for (int r = 1; r <= rounds; r++) {
            plain[r - 1] = foreach(r);
            wf[r - 1] = workflow(workflow, r);
        }
        double pw = median(plain, Sample::wallMs);
        double ww = median(wf, Sample::wallMs);
        double pc = median(plain, Sample::cpuMs);
        double wc = median(wf, Sample::cpuMs);
        out.printf("fanout foreach (1 batch)   : median %7.0f ms wall, %7.0f ms CPU per %d runs (wall: %s)%n", pw, pc, iterations, fmt(plain));
        out.printf("workflow (1 for_each task) : median %7.0f ms wall, %7.0f ms CPU per %d runs (wall: %s)%n", ww, wc, iterations, fmt(wf));
        out.printf("workflow/foreach = %.3f wall (%+.1f%%), %.3f CPU; overhead per iteration %+.2f ms wall, %+.2f ms CPU%n",
                ww / pw, (ww / pw - 1) * 100, wc / pc, (ww - pw) * parallelism / iterations, (wc - pc) / iterations);
        responsiveness(dir.resolve("wf-" + rounds + ".db"));
    }

    private Sample foreach(int round) {
        try (HistoryStore store = HistoryStore.sqlite(dir.resolve("plain-" + round + ".db"));
             Fanout fanout = Fanout.builder(spark).parallelism(parallelism).history(store).build()) {
            long cpu = cpuNanos();
            long start = System.nanoTime();
            BatchResult r = fanout.forEach(new Trivial(), Items.range("n", 1, iterations));
            Sample s = new Sample((System.nanoTime() - start) / 1e6, (cpuNanos() - cpu) / 1e6);
            if (!r.succeeded()) {
                throw new IllegalStateException("benchmark batch failed: " + r.counts());
            }
            return s;
        }
    }

    private Sample workflow(Workflow workflow, int round) {
        try (HistoryStore store = HistoryStore.sqlite(dir.resolve("wf-" + round + ".db"));
             Fanout fanout = Fanout.builder(spark).parallelism(parallelism).history(store).build()) {
            long cpu = cpuNanos();
            long start = System.nanoTime();
            WorkflowResult r = fanout.run(workflow, Map.of());
            Sample s = new Sample((System.nanoTime() - start) / 1e6, (cpuNanos() - cpu) / 1e6);
            if (!r.succeeded()) {
                throw new IllegalStateException("benchmark workflow failed: " + r.tasks());
            }
            return s;
        }
    }

    /** The history's reads of the last workflow run, and its report, each timed (median of 5). */
    private void responsiveness(Path history) throws Exception {
        try (HistoryStore store = HistoryStore.sqlite(history)) {
            String runId = store.batches(1).get(0).id();
            String taskBatch = store.taskBatches(runId).get(0).id();
            Path report = dir.resolve("report.html");
            out.printf("history of one %d-iteration workflow run: list %.1f ms; its tasks %.1f ms; the loop's %d iterations"
                            + " %.1f ms; report %.0f ms (%d KiB)%n", iterations,
                    time(() -> store.batches(20)), time(() -> store.items(runId)), iterations, time(() -> store.items(taskBatch)),
                    time(() -> Reports.html(store, runId, report)), Files.size(report) / 1024);
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double time(Work w) throws Exception {
        double[] ms = new double[5];
        for (int i = 0; i < ms.length; i++) {
            long start = System.nanoTime();
            w.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return ms[2];
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(Sample[] xs, java.util.function.ToDoubleFunction<Sample> f) {
        return Median.median(Arrays.stream(xs).mapToDouble(f).toArray());
    }

    private static String fmt(Sample[] xs) {
        return String.join(" ", Arrays.stream(xs).map(x -> String.format("%.0f", x.wallMs())).toList());
    }
}
