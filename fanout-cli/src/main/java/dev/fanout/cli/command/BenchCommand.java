package dev.fanout.cli.command;

import dev.fanout.cli.Environment;
import dev.fanout.cli.FanoutCommand;

import dev.fanout.cli.bench.OverheadBenchmark;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", sortOptions = false, mixinStandardHelpOptions = true,
        subcommands = {BenchCommand.History.class, BenchCommand.WorkflowLoop.class},
        description = {"Measure fanout's per-run overhead against a bare ExecutorService running the same trivial",
                "Spark job the same number of times at the same parallelism, side by side; prints medians.",
                "'fanout bench history' measures the history store instead; 'fanout bench workflow' a workflow's loop",
                "against the same items as one batch."})
public final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    FanoutCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--runs", defaultValue = "1000", description = "Runs per batch (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--parallelism", defaultValue = "4", description = "Slots / pool threads (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--rounds", defaultValue = "5", description = "Measured batches per side (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--workload", split = ",", defaultValue = "RDD,SQL,SQL_SHARED_SESSION",
            description = "Any of RDD, SQL, SQL_SHARED_SESSION (default: ${DEFAULT-VALUE}).")
    List<OverheadBenchmark.Workload> workloads;

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || parallelism < 1 || rounds < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--runs, --parallelism and --rounds must be at least 1, got " + runs + ", " + parallelism + ", " + rounds);
        }
        BatchLauncher.configureLogging(false);
        SparkSession spark = parent.env().spark().start("fanout bench", master, parallelism, Map.of("spark.ui.enabled", "false"));
        try {
            new OverheadBenchmark(spark, runs, parallelism, rounds, parent.env().out()).run(workloads);
            return 0;
        } finally {
            parent.env().spark().stop(spark);
        }
    }

    @Command(name = "history", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Measure the SQLite history: record N runs (one transaction each, as a batch writes them) and list",
                    "an N-run batch (the store's read, and 'fanout history BATCH' end to end); fresh file per round; medians."})
    static final class History implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Spec
        CommandSpec spec;

        @Option(names = "--runs", defaultValue = "10000", description = "Runs per batch (default: ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--rounds", defaultValue = "5", description = "Measured rounds (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Override
        public Integer call() throws Exception {
            if (runs < 1 || rounds < 1) {
                throw new ParameterException(spec.commandLine(), "--runs and --rounds must be at least 1, got " + runs + ", " + rounds);
            }
            Environment env = bench.parent.env();
            java.io.PrintStream discard = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
            Environment quiet = new Environment(discard, env.err(), env.spark(), false, env.history());
            new dev.fanout.cli.bench.HistoryBenchmark(runs, rounds, env.out(), (file, batch) -> {
                int code = FanoutCommand.commandLine(quiet).execute("history", batch, "--history", file.toString());
                if (code != 0) {
                    throw new IllegalStateException("fanout history failed with exit code " + code);
                }
            }).run();
            return 0;
        }
    }

    @Command(name = "workflow", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Measure what a workflow adds per iteration: the same trivial job over the same N items as one",
                    "batch (fanout foreach) and as a workflow of one for_each task, each with a fresh SQLite history,",
                    "alternating round by round; medians of wall and CPU time, then the history's reads and the report of",
                    "the N-iteration run."})
    static final class WorkflowLoop implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Spec
        CommandSpec spec;

        @Option(names = "--iterations", defaultValue = "1000", description = "Iterations (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--rounds", defaultValue = "5", description = "Measured rounds per side (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Override
        public Integer call() throws Exception {
            if (iterations < 1 || rounds < 1) {
                throw new ParameterException(spec.commandLine(),
                        "--iterations and --rounds must be at least 1, got " + iterations + ", " + rounds);
            }
            BatchLauncher.configureLogging(false);
            SparkSession spark = bench.parent.env().spark().start("fanout bench workflow", bench.master, bench.parallelism,
                    Map.of("spark.ui.enabled", "false"));
            try {
                new dev.fanout.cli.bench.WorkflowBenchmark(spark, iterations, bench.parallelism, rounds, bench.parent.env().out()).run();
                return 0;
            } finally {
                bench.parent.env().spark().stop(spark);
            }
        }
    }
}
