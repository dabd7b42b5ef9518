package dev.fanout.cli.command;

import dev.fanout.BadInputException;
import dev.fanout.BatchResult;
import dev.fanout.ErrorInfo;
import dev.fanout.Fanout;
import dev.fanout.FailurePolicy;
import dev.fanout.FanoutListener;
import dev.fanout.Items;
import dev.fanout.Parallelism;
import dev.fanout.Redaction;
import dev.fanout.RetryPolicy;
import dev.fanout.RunResult;
import dev.fanout.SparkJob;
import dev.fanout.cli.Environment;
import dev.fanout.cli.ExitCode;
import dev.fanout.cli.console.ProgressDisplay;
import dev.fanout.cli.console.SignalTrap;
import dev.fanout.cli.option.RunOptions;
import dev.fanout.cli.option.SparkOptions;
import dev.fanout.history.HistoryException;
import dev.fanout.history.HistoryStore;
import dev.fanout.report.Reports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;

/**
 * What the batch commands ({@code run}, {@code foreach}, {@code resume}, {@code demo}) share once their input is
 * checked: open the history, start Spark, build the {@link Fanout} from the options, run with live progress and
 * Ctrl-C, print the summary, JSON and report, and pick the exit code. Everything a batch does is the library's; this
 * class only maps options to it and prints.
 */
final class BatchLauncher implements AutoCloseable {
    private final Environment env;
    private final SparkOptions spark;
    private final RunOptions run;
    private final String command;
    private final Redaction redaction;
    private final HistoryStore store;
    private SparkSession session;

    /** Checks the options that need no Spark and opens the history: a bad file is a usage error, before anything starts. */
    BatchLauncher(Environment env, String command, SparkOptions spark, RunOptions run) {
        this(env, command, spark, run, null);
    }

    /** As {@link #BatchLauncher(Environment, String, SparkOptions, RunOptions)}, on a history already open (a resume). */
    BatchLauncher(Environment env, String command, SparkOptions spark, RunOptions run, HistoryStore open) {
        this.env = env;
        this.command = command;
        this.spark = spark;
        this.run = run;
        run.validate();
        this.redaction = run.redaction();
        this.store = open != null ? open : openHistory(env, run);
    }

    /** The history of {@code --history}, or the environment's default; none with {@code --no-history}. */
    static HistoryStore openHistory(Environment env, RunOptions run) {
        if (run.noHistory) {
            if (run.history != null) {
                throw new BadInputException("--history and --no-history exclude each other");
            }
            if (run.report != null) {
                throw new BadInputException("--report " + run.report + " is drawn from the history; it cannot be used with --no-history");
            }
            return null;
        }
        return open(run.history != null ? run.history : env.history());
    }

    static HistoryStore open(Path file) {
        try {
            return HistoryStore.sqlite(file);
        } catch (HistoryException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    Environment env() {
        return env;
    }

    RunOptions options() {
        return run;
    }

    HistoryStore store() {
        return store;
    }

    Redaction redaction() {
        return redaction;
    }

    /**
     * Starts Spark with fanout's settings for small runs unless the user set them (said once), the user's {@code --conf},
     * and {@code --jars}. An unreachable standalone master is a usage error naming it, found before Spark starts.
     */
    SparkSession start(int slots, ClassLoader loader, String appName, Map<String, String> extraDefaults) {
        Thread.currentThread().setContextClassLoader(loader);
        Map<String, String> defaults = new LinkedHashMap<>(Fanout.smallRunConf());
        defaults.putAll(extraDefaults);
        Map<String, String> applied = new LinkedHashMap<>();
        defaults.forEach((k, v) -> {
            if (!spark.conf.containsKey(k) && System.getProperty(k) == null) {
                applied.put(k, v);
            }
        });
        if (!applied.isEmpty()) {
            env.err().println("fanout: settings for small runs: " + String.join(", ",
                    applied.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    + " (--conf KEY=VALUE overrides)");
        }
        session = startSpark(env, spark, slots, appName, applied);
        return session;
    }

    /**
     * Starts Spark for a command: logging as {@code --verbose} says, an unreachable standalone master refused before
     * Spark starts, {@code defaults} under the user's {@code --conf} and {@code --jars}; a failure to start is a usage
     * error naming the master.
     */
    static SparkSession startSpark(Environment env, SparkOptions spark, int slots, String appName, Map<String, String> defaults) {
        configureLogging(spark.verbose);
        checkReachable(spark.master);
        try {
            return env.spark().start("fanout " + appName, spark.master, slots, spark.sparkConf(defaults));
        } catch (RuntimeException e) {
            throw new BadInputException("cannot start Spark with --master " + spark.master
                    + (spark.conf.isEmpty() ? "" : " and --conf " + spark.conf.keySet()) + ": "
                    + ErrorInfo.rootCause(e).getMessage());
        }
    }

    /**
     * A standalone master ({@code spark://host:port[,host:port]}) that accepts no connection: Spark would retry for a
     * minute, print stack traces and stop the context; say so at once instead (one master of an HA list is enough).
     */
    static void checkReachable(String master) {
        if (!master.startsWith("spark://")) {
            return;
        }
        String last = null;
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1).replaceAll("/.*", ""));
            } catch (NumberFormatException e) {
                throw new BadInputException("--master " + master + ": '" + hostPort + "' is not host:port");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 5_000);
                return;
            } catch (IOException e) {
                last = e.getMessage();
            }
        }
        throw new BadInputException("cannot reach the Spark master " + master + ": " + last
                + " (is it running? bin/local-cluster start starts one on this machine)");
    }

    /** The library's fanout for these options, with live progress; recording in the history unless --no-history. */
    Fanout fanout(Parallelism parallelism, FailurePolicy failurePolicy, FanoutListener... listeners) {
        Fanout.Builder b = Fanout.builder(session).parallelism(parallelism).order(run.order()).timeout(run.timeout)
                .retry(RetryPolicy.retries(run.retries)).failurePolicy(failurePolicy).redaction(redaction)
                .launch(spark.launch(command));
        for (FanoutListener l : listeners) {
            b.listener(l);
        }
        if (store != null) {
            b.history(store);
        }
        return b.build();
    }

    /**
     * For {@code --parallelism auto} on a cluster: waits (at most {@code wait}) for the executors to register and says
     * how many came; then prints the parallelism with its reasoning. A listener prints each later change.
     */
    FanoutListener sizing(Parallelism parallelism, Duration wait) {
        if (!parallelism.dynamic()) {
            return new FanoutListener() { };
        }
        var sc = session.sparkContext();
        if (!sc.isLocal()) {
            long t0 = System.nanoTime();
            int n = Fanout.awaitExecutors(session, wait);
            if (n == 0) {
                env.err().printf("fanout: warning: no executor registered within %s; starting with 1 run at a time%n",
                        dev.fanout.DurationFormat.format(wait));
            } else {
                env.err().printf(java.util.Locale.ROOT, "fanout: %d executor(s) registered in %.1fs%n", n,
                        (System.nanoTime() - t0) / 1e9);
            }
        }
        if (parallelism instanceof Parallelism.Adaptive) {
            env.err().printf("fanout: parallelism adaptive: %s%n", parallelism.explain(sc));
            return new FanoutListener() {
                @Override
                public void onParallelismChange(ParallelismChange change) {
                    env.err().printf("fanout: parallelism adaptive: %d \u2192 %d (%s)%n", change.from(), change.to(),
                            change.explanation());
                }
            };
        }
        env.err().printf("fanout: parallelism auto: %s%n", parallelism.explain(sc));
        return new FanoutListener() {
            @Override
            public void onParallelismChange(ParallelismChange change) {
                env.err().printf("fanout: parallelism auto: now %s%n", change.explanation());
            }
        };
    }

    /**
     * Runs one batch on the started Spark: sizing (auto waits for executors and says why), live progress, the library's
     * {@link Fanout} built from the options, Ctrl-C, then the summary, JSON, report and exit code.
     *
     * @param batch what to run on the fanout: a new batch ({@code forEach}) or a resume
     */
    int runBatch(Parallelism parallelism, boolean failFast, Duration executorWait, String job, long count,
                 int exitValuesToPrint, java.util.function.Function<Fanout, BatchResult> batch) {
        FanoutListener sized = sizing(parallelism, executorWait);
        ProgressDisplay progress = progress(job, count);
        Fanout fanout = fanout(parallelism, failFast ? FailurePolicy.FAIL_FAST : FailurePolicy.CONTINUE, progress, sized);
        BatchResult result = execute(fanout, progress, () -> batch.apply(fanout));
        return finish(fanout, result, parallelism, exitValuesToPrint);
    }

    /** The live progress of a batch of {@code total} runs on stderr. */
    ProgressDisplay progress(String job, long total) {
        return new ProgressDisplay(env.err(), env.stderrIsTerminal(), job, total, Duration.ofSeconds(5), redaction);
    }

    /** Runs {@code batch} (a batch, a workflow) on {@code fanout} with Ctrl-C trapped and the progress closed at the end. */
    <T> T execute(Fanout fanout, AutoCloseable progress, java.util.function.Supplier<T> batch) {
        try (SignalTrap trap = SignalTrap.install(env.err(), () -> fanout.abort("interrupted by signal"))) {
            return batch.get();
        } finally {
            try {
                progress.close();
            } catch (Exception e) {
                env.err().println("fanout: cannot close the progress display: " + e);
            }
        }
    }

    /** Prints the summary (stderr), the history line, the report, the JSON (stdout) and exit values; returns the exit code. */
    int finish(Fanout fanout, BatchResult result, Parallelism parallelism, int exitValuesToPrint) {
        BatchResult shown = redaction.batch(result);
        Reports.summary(shown, env.err(), parallelism.dynamic()
                ? "parallelism " + parallelism.spec() + " (" + fanout.parallelismNow() + " at the end)" : null);
        if (store != null) {
            RuntimeException failure = fanout.historyFailure(result.batchId());
            if (failure != null) {
                env.err().println("fanout: warning: the history of this batch is incomplete: " + failure.getMessage());
            }
            env.err().printf("history: batch %s in %s%s%n", result.batchId(), store.location(),
                    result.succeeded() ? "" : "; run what did not succeed again with: fanout resume " + result.batchId());
            if (run.report != null) {
                writeReport(env, store, result.batchId(), run.report);
            }
        }
        if (run.json) {
            env.out().println(Reports.json(shown));
        } else {
            shown.runs().stream().map(RunResult::exitValue).filter(v -> v != null).limit(exitValuesToPrint)
                    .forEach(env.out()::println);
        }
        return exitCode(result);
    }

    /** Writes the HTML report of a recorded batch; a failure to write it is reported, not fatal to the batch. */
    static void writeReport(Environment env, HistoryStore store, String batchId, Path file) {
        try {
            Reports.html(store, batchId, file);
            env.err().println("report: " + file.toAbsolutePath());
        } catch (IOException | RuntimeException e) {
            env.err().println("fanout: cannot write the report " + file + ": " + e.getMessage());
        }
    }

    static int exitCode(BatchResult result) {
        return result.interrupted() ? ExitCode.INTERRUPTED
                : result.runs().stream().anyMatch(r -> r.outcome().isFailure()) || !result.succeeded() ? ExitCode.FAILED
                : ExitCode.OK;
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

    /** Stops Spark (when started) and closes the history. */
    @Override
    public void close() {
        try {
            if (session != null) {
                env.spark().stop(session);
            }
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }
}
