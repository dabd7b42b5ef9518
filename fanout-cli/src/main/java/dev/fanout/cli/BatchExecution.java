package dev.fanout.cli;

import dev.fanout.BatchResult;
import dev.fanout.Fanout;
import dev.fanout.Redaction;
import dev.fanout.RetryPolicy;
import dev.fanout.SparkJob;
import dev.fanout.BadInputException;
import dev.fanout.history.HistoryRecorder;
import dev.fanout.report.Reports;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;

/** What every command does once its input is validated: start Spark, run the batch, report, pick the exit code. */
final class BatchExecution {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_INTERRUPTED = 130;

    private BatchExecution() {}

    /**
     * One batch to run: a new one ({@code allItems} are all its items, recorded up front) or a resume (some
     * items of a recorded batch under their original indices; {@code allItems} null).
     */
    record BatchSpec(String batchId, SortedMap<Integer, Map<String, String>> items, List<Map<String, String>> allItems,
                     StoredOptions options) {
        static BatchSpec fresh(List<Map<String, String>> items, StoredOptions options) {
            TreeMap<Integer, Map<String, String>> indexed = new TreeMap<>();
            for (int i = 0; i < items.size(); i++) {
                indexed.put(i, items.get(i));
            }
            return new BatchSpec(Recording.newBatchId(), indexed, items, options);
        }

        boolean resume() {
            return allItems == null;
        }
    }

    /** The options a new batch records: what a resume starts it with again. */
    static StoredOptions options(String command, String jobClass, SparkOptions spark, RunOptions run, Sizing sizing,
                                 boolean failFast, String itemsSource, Map<String, String> defaults) {
        Map<String, String> conf = new LinkedHashMap<>(defaults);
        conf.putAll(spark.conf);
        return new StoredOptions(command, jobClass, spark.jars.stream().map(p -> p.toAbsolutePath().toString()).toList(),
                spark.master, conf, sizing.recorded(spark.master), sizing.coresPerRun, sizing.executorsPerRun,
                sizing.maxParallelism, run.timeout == null ? null : dev.fanout.DurationFormat.format(run.timeout),
                run.retries, failFast, run.params, itemsSource, run.secrets);
    }

    /** Starts Spark, runs the batch, recording it in {@code recording} (opened, and closed, by the caller), and stops Spark. */
    static int run(Environment env, SparkOptions spark, RunOptions run, Sizing sizing, boolean failFast,
                   SparkJob job, ClassLoader loader, BatchSpec batch, Recording recording, int exitValuesToPrint) {
        Redaction redaction = run.redaction(); // a bad --secrets is a usage error before anything starts
        sizing.validate(spark.master);
        SparkSession session = start(env, spark, run, sizing.slots(spark.master), loader, job.name(), Map.of());
        try {
            BatchResult result = runBatch(env, session, run, sizing, failFast, job, batch, recording);
            if (!run.json) {
                result.runs().stream().map(r -> redaction.run(r).exitValue()).filter(v -> v != null).limit(exitValuesToPrint)
                        .forEach(env.out()::println);
            }
            return exitCode(result);
        } finally {
            env.spark().stop(session);
        }
    }

    /**
     * Checks the run options, sets up logging and the job's class loader, and starts Spark. {@code defaults} are
     * settings the command prefers; the user's {@code --conf} wins over them.
     */
    static SparkSession start(Environment env, SparkOptions spark, RunOptions run, int parallelism, ClassLoader loader,
                              String appName, Map<String, String> defaults) {
        if (run.retries < 0) {
            throw new BadInputException("--retries must be 0 or more, got " + run.retries);
        }
        configureLogging(spark.verbose);
        Thread.currentThread().setContextClassLoader(loader);
        return start(env, spark, parallelism, sparkConf(spark, defaults), appName);
    }

    /** {@code defaults}, then the user's {@code --conf} settings, and {@code --jars} added to {@code spark.jars}. */
    static Map<String, String> sparkConf(SparkOptions spark, Map<String, String> defaults) {
        Map<String, String> conf = new LinkedHashMap<>(defaults);
        conf.putAll(spark.conf);
        if (!spark.jars.isEmpty()) {
            conf.merge("spark.jars", spark.jars.stream().map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(",")),
                    (mine, theirs) -> mine + "," + theirs);
        }
        return conf;
    }

    /**
     * Runs the batch with live progress, recording it in the history as runs end; prints the summary on stderr
     * and, with --json, the JSON document on stdout (secrets masked in both); writes --report at the end.
     */
    static BatchResult runBatch(Environment env, SparkSession session, RunOptions run, Sizing sizing, boolean failFast,
                                SparkJob job, BatchSpec batch, Recording recording) {
        Redaction redaction = run.redaction();
        int parallelism = sizing.slots(session.sparkContext().master());
        java.util.function.IntSupplier limit;
        try {
            limit = sizing.limit(session, env.err());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for executors", e);
        }
        ProgressDisplay progress = new ProgressDisplay(env.err(), env.stderrIsTerminal(), job.name(), batch.items().size(),
                Duration.ofSeconds(5));
        Fanout.Builder builder = Fanout.builder(session).parallelism(parallelism).timeout(run.timeout)
                .retry(RetryPolicy.retries(run.retries)).failurePolicy(failFast ? dev.fanout.FailurePolicy.FAIL_FAST
                        : dev.fanout.FailurePolicy.CONTINUE)
                .redaction(redaction).listener(progress);
        if (limit != null) {
            dev.fanout.Parallelism.Auto auto = dev.fanout.Parallelism.auto().max(parallelism);
            builder.parallelism(sizing.executorsPerRun != null ? auto.executorsPerRun(sizing.executorsPerRun)
                    : auto.coresPerRun(sizing.coresPerRun != null ? sizing.coresPerRun : 1));
        }
        int recordedParallelism = limit != null ? limit.getAsInt() : parallelism;
        HistoryRecorder recorder = null;
        if (recording.enabled()) {
            int taskSlots = session.sparkContext().defaultParallelism();
            dev.fanout.history.BatchSpec spec = batch.options().toSpec();
            try {
                recorder = batch.resume()
                        ? HistoryRecorder.resume(recording.store(), batch.batchId(), spec, redaction, recordedParallelism,
                                taskSlots)
                        : HistoryRecorder.newBatch(recording.store(), batch.batchId(), job.name(), spec, batch.allItems(),
                                redaction, recordedParallelism, taskSlots);
            } catch (dev.fanout.history.HistoryException e) {
                throw new BadInputException(e.getMessage());
            }
            builder.listener(recorder);
        }
        Fanout fanout = builder.build();
        BatchResult result;
        try (SignalTrap trap = SignalTrap.install(env.err(), () -> fanout.abort("interrupted by signal"))) {
            result = fanout.forEach(job, batch.batchId(), batch.items());
        } finally {
            progress.close();
            if (recorder != null) {
                recorder.close();
            }
        }
        BatchResult shown = redaction.batch(result);
        Reports.summary(shown, env.err(), limit != null ? "parallelism auto (" + limit.getAsInt() + " at the end)" : null);
        if (recorder != null) {
            if (recorder.failure() != null) {
                env.err().println("fanout: warning: the history of this batch is incomplete: " + recorder.failure().getMessage());
            }
            env.err().printf("history: batch %s in %s%s%n", batch.batchId(), recording.file(),
                    result.succeeded() ? "" : "; run what did not succeed again with: fanout resume " + batch.batchId());
            if (run.report != null) {
                writeReport(env, recording, batch.batchId(), run.report);
            }
        }
        if (run.json) {
            env.out().println(Reports.json(shown));
            env.out().flush();
        }
        return result;
    }

    /** Writes the HTML report of a recorded batch; a failure to write it is reported, not fatal to the batch. */
    static void writeReport(Environment env, Recording recording, String batchId, java.nio.file.Path file) {
        try {
            Reports.html(recording.store(), batchId, file);
            env.err().println("report: " + file.toAbsolutePath());
        } catch (java.io.IOException | RuntimeException e) {
            env.err().println("fanout: cannot write the report " + file + ": " + e.getMessage());
        }
    }

    static int exitCode(BatchResult result) {
        return result.interrupted() ? EXIT_INTERRUPTED
                : result.runs().stream().anyMatch(r -> r.outcome().isFailure()) || !result.succeeded() ? EXIT_FAILED : EXIT_OK;
    }

    static SparkSession start(Environment env, SparkOptions spark, int parallelism, Map<String, String> conf, String appName) {
        try {
            return env.spark().start("fanout " + appName, spark.master, parallelism, conf);
        } catch (RuntimeException e) {
            throw new BadInputException("cannot start Spark with --master " + spark.master
                    + (conf.isEmpty() ? "" : " and --conf " + conf.keySet()) + ": " + rootCause(e).getMessage());
        }
    }

    /** The innermost cause of {@code e}: what a user can act on, under Spark's wrappers. */
    static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** Spark's own logging stays at WARN, per-task failure logs off (fanout reports every failure), unless --verbose. */
    static void configureLogging(boolean verbose) {
        if (verbose) {
            Configurator.setRootLevel(Level.INFO);
            Configurator.setLevel("org.apache.spark.executor.Executor", Level.INFO);
            Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager", Level.INFO);
            Configurator.setLevel("dev.fanout", Level.INFO);
        }
    }
}
