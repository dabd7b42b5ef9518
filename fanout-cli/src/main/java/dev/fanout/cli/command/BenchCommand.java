package dev.fanout.cli.command;

import dev.fanout.BadInputException;
import dev.fanout.Items;
import dev.fanout.Parallelism;
import dev.fanout.Redaction;
import dev.fanout.cli.Environment;
import dev.fanout.cli.ExitCode;
import dev.fanout.cli.FanoutCommand;
import dev.fanout.cli.bench.OverheadBenchmark;
import dev.fanout.cli.bench.PatternsBenchmark;
import dev.fanout.cli.bench.PatternsReport;
import dev.fanout.cli.option.RunOptions;
import dev.fanout.cli.option.SparkOptions;
import dev.fanout.examples.airline.DailyMetrics;
import dev.fanout.examples.airline.Warehouse;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", sortOptions = false, mixinStandardHelpOptions = true,
        subcommands = {BenchCommand.History.class, BenchCommand.WorkflowLoop.class, BenchCommand.Patterns.class,
                BenchCommand.Adaptive.class},
        description = {"Measure fanout's per-run overhead against a bare thread pool running the same trivial Spark job.",
                "Both run the job the same number of times at the same parallelism, side by side; medians are printed."
                        + " The subcommands measure other things: the history store, a workflow's loop against one batch,"
                        + " the ways to run many small jobs from one driver, and adaptive against fixed parallelism."},
        exitCodeListHeading = ExitCode.LIST_HEADING,
        exitCodeList = {"0:measured", "1:an unexpected error, or (patterns) a pattern's rows differ from the sequential loop's",
                ExitCode.LIST_USAGE})
public final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    FanoutCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "1000", description = "Runs per batch (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "4", description = "Slots, and the pool's threads (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "5", description = "Measured batches per side (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[2]", description = "Spark master (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--workload", paramLabel = "NAME", split = ",", defaultValue = "RDD,SQL,SQL_SHARED_SESSION",
            description = "Any of RDD, SQL, SQL_SHARED_SESSION (default: ${DEFAULT-VALUE}).")
    List<OverheadBenchmark.Workload> workloads;

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || parallelism < 1 || rounds < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--runs, --parallelism and --rounds must be at least 1, got " + runs + ", " + parallelism + ", " + rounds);
        }
        return withSpark("fanout bench", spark -> new OverheadBenchmark(spark, runs, parallelism, rounds, parent.env().out())
                .run(workloads));
    }

    /** What a benchmark does on the Spark it is given. */
    interface OnSpark {
        void run(SparkSession spark) throws Exception;
    }

    /** Runs {@code body} on a Spark application of {@code --master} and {@code --parallelism}, stopped after; exit 0. */
    int withSpark(String appName, OnSpark body) throws Exception {
        BatchLauncher.configureLogging(false);
        SparkSession spark = parent.env().spark().start(appName, master, parallelism, Map.of("spark.ui.enabled", "false"));
        try {
            body.run(spark);
            return 0;
        } finally {
            parent.env().spark().stop(spark);
        }
    }

    @Command(name = "history", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Measure the SQLite history: recording N runs and listing an N-run batch.",
                    "Each run is recorded in a transaction of its own, as a batch writes them; the listing is timed as the"
                            + " store's read and as 'fanout history BATCH_ID' end to end. A fresh file per round; medians."},
            exitCodeListHeading = ExitCode.LIST_HEADING, exitCodeList = {"0:measured", "1:an unexpected error", ExitCode.LIST_USAGE})
    static final class History implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Spec
        CommandSpec spec;

        @Option(names = "--runs", paramLabel = "N", defaultValue = "10000", description = "Runs per batch (default: ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--rounds", paramLabel = "N", defaultValue = "5", description = "Measured rounds (default: ${DEFAULT-VALUE}).")
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
            description = {"Measure what a workflow adds per iteration over a batch of the same items.",
                    "The same trivial job runs over the same N items as one batch (fanout foreach) and as a workflow of one"
                            + " for_each task, each with a fresh SQLite history, alternating round by round; medians of wall"
                            + " and CPU time, then the history's reads and the report of the N-iteration run."},
            exitCodeListHeading = ExitCode.LIST_HEADING, exitCodeList = {"0:measured", "1:an unexpected error", ExitCode.LIST_USAGE})
    static final class WorkflowLoop implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Spec
        CommandSpec spec;

        @Option(names = "--iterations", paramLabel = "N", defaultValue = "1000", description = "Iterations (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--rounds", paramLabel = "N", defaultValue = "5", description = "Measured rounds per side (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Override
        public Integer call() throws Exception {
            if (iterations < 1 || rounds < 1) {
                throw new ParameterException(spec.commandLine(),
                        "--iterations and --rounds must be at least 1, got " + iterations + ", " + rounds);
            }
            return bench.withSpark("fanout bench workflow", spark -> new dev.fanout.cli.bench.WorkflowBenchmark(spark,
                    iterations, bench.parallelism, rounds, bench.parent.env().out()).run());
        }
    }

    /**
     * The day job's runs over {@code --range} (its first {@code --days}), each with {@code params} and the warehouse:
     * what {@code bench patterns} and {@code bench adaptive} run.
     */
    static List<Map<String, String>> dayItems(String range, Integer days, Warehouse warehouse, Map<String, String> params) {
        String dayRange = range.contains("=") ? range : "day=" + range;
        if (!dayRange.startsWith("day=")) {
            throw new BadInputException("--range " + range + ": DailyMetrics takes 'day', e.g. --range day=2026-10-01..2026-10-31");
        }
        List<Map<String, String>> items;
        try {
            items = Items.parseRange(dayRange).toList();
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--range " + range + ": " + e.getMessage());
        }
        if (days != null && days < items.size()) {
            items = items.subList(0, days);
        }
        List<Map<String, String>> runs = new ArrayList<>(items.size());
        for (Map<String, String> item : items) {
            Map<String, String> p = new LinkedHashMap<>(params);
            p.putAll(item);
            p.put("warehouse", warehouse.dir().toString());
            runs.add(p);
        }
        return runs;
    }

    @Command(name = "patterns", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Compare the ways to run many small Spark jobs from one driver, on the demo's day job.",
                    "The day job (DailyMetrics) runs over the same days as: a sequential loop; 'parallel collections' (a pool"
                            + " of the driver's cores, FIFO); a fixed thread pool, FIFO; the fixed pool with a FAIR pool per"
                            + " thread; fanout with Parallelism.auto(). Interleaved rounds after a warm-up; medians of wall and"
                            + " CPU seconds, the speed-up over the sequential loop and the CPU-bound limit, as a table and as an"
                            + " HTML page with an SVG bar chart. After each pattern its rows are checked against the sequential"
                            + " loop's; a pattern with other rows is an error (exit 1)."},
            exitCodeListHeading = ExitCode.LIST_HEADING,
            exitCodeList = {"0:measured, every pattern's rows equal the loop's", "1:a pattern's rows differ, or an unexpected error", ExitCode.LIST_USAGE},
            footer = {"", "Examples:",
                    "  fanout bench patterns --dir fanout-demo --days 8 --rounds 1",
                    "  fanout bench patterns --dir fanout-demo --master spark://127.0.0.1:7077 --html cluster.html"})
    static final class Patterns implements Callable<Integer> {
        static final String JOB = "dev.fanout.examples.airline.DailyMetrics";

        @ParentCommand
        BenchCommand bench;

        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "fanout-demo",
                description = "The demo's data (fanout demo --dir DIR made it; default: ./${DEFAULT-VALUE}). DailyMetrics"
                        + " rewrites its daily_metrics table there.")
        Path dir;

        @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
                description = "A parameter given to every run of every pattern (repeatable); -p warehouse=DIR is the same as --dir DIR.")
        Map<String, String> params = new LinkedHashMap<>();

        @Option(names = "--range", paramLabel = "[day=]FROM..TO", defaultValue = "day=2026-10-01..2026-12-31",
                description = "The days (default: the demo's ${DEFAULT-VALUE}, 92 days).")
        String range;

        @Option(names = "--days", paramLabel = "N", description = "Only the first N days of the range, for a quick look.")
        Integer days;

        @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "Measured rounds, each running every pattern once (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--threads", paramLabel = "N", defaultValue = "8",
                description = "Threads of the fixed-pool patterns, FIFO and FAIR (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--warmup-days", paramLabel = "N", defaultValue = "4",
                description = "Days of the unmeasured warm-up, a sequential loop (default: ${DEFAULT-VALUE}).")
        int warmupDays;

        @Option(names = "--html", paramLabel = "FILE", defaultValue = "bench-patterns.html",
                description = "Where to write the chart (default: ./${DEFAULT-VALUE}).")
        Path html;

        @Option(names = "--executor-wait", paramLabel = "DURATION", converter = RunOptions.DurationConverter.class,
                defaultValue = "60s", description = "On a cluster: how long to wait for executors to register (default: ${DEFAULT-VALUE}).")
        Duration executorWait;

        @Mixin
        SparkOptions spark;

        @Override
        public Integer call() throws Exception {
            try {
                return execute();
            } catch (BadInputException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }

        private int execute() throws Exception {
            if (rounds < 1 || threads < 1 || warmupDays < 0 || (days != null && days < 1)) {
                throw new BadInputException("--rounds, --threads and --days must be at least 1 and --warmup-days at least 0, got "
                        + rounds + ", " + threads + ", " + days + ", " + warmupDays);
            }
            Path data = dir;
            String given = params.get("warehouse");
            if (given != null) {
                if (spec.commandLine().getParseResult().hasMatchedOption("--dir")
                        && !Path.of(given).toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
                    throw new BadInputException("--dir " + dir + " and -p warehouse=" + given + " differ; give one");
                }
                data = Path.of(given);
            }
            Warehouse warehouse = new Warehouse(data);
            if (warehouse.generatedWith().isEmpty()) {
                throw new BadInputException("no demo data in " + warehouse.dir() + "; make it with: fanout demo --dir " + data);
            }
            List<Map<String, String>> runs = dayItems(range, days, warehouse, params);
            SparkCommand.LoadedJob loaded = SparkCommand.load(JOB, spark);
            RunOptions none = new RunOptions();
            none.noHistory = true;
            none.secrets = Redaction.DEFAULT_PATTERN;
            Environment env = bench.parent.env();
            try (BatchLauncher launcher = new BatchLauncher(env, "bench patterns", spark, none)) {
                SparkSession session = launcher.start(Math.max(threads, Parallelism.DEFAULT_MAX), loaded.loader(),
                        "bench patterns", Map.of("spark.ui.enabled", "false"));
                launcher.sizing(Parallelism.auto(), executorWait);
                if (!DeltaTable.isDeltaTable(session, warehouse.dailyMetrics())) {
                    DailyMetrics.createTable(session, warehouse);
                }
                env.err().printf("fanout bench patterns: %s over %d day(s) %s..%s, %d round(s) of 5 patterns%n", loaded.job().name(),
                        runs.size(), runs.get(0).get("day"), runs.get(runs.size() - 1).get("day"), rounds);
                PatternsBenchmark.Result result = new PatternsBenchmark(session,
                        loaded.job(), runs, warehouse.dailyMetrics(), rounds, threads, warmupDays, env.err()).run();
                PatternsReport.text(result, env.out());
                Path file = html.toAbsolutePath();
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                Files.writeString(file, PatternsReport.html(result));
                env.err().println("chart: " + file);
                return result.allChecked() ? ExitCode.OK : ExitCode.FAILED;
            }
        }
    }

    @Command(name = "adaptive", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Compare fixed parallelism 1 to 32, 'auto' and 'adaptive' side by side on one Spark application.",
                    "They run (a) the demo's day job (DailyMetrics) and (b) a job that waits on the driver (2 s) and then runs a"
                            + " tiny Spark job, in interleaved rounds: medians of wall and CPU seconds, a table and an HTML bar"
                            + " chart. Then longest first: 30 items, the last 3 taking 8x longer, in input order and longest first."},
            exitCodeListHeading = ExitCode.LIST_HEADING,
            exitCodeList = {"0:measured", "1:an unexpected error", ExitCode.LIST_USAGE},
            footer = {"", "Examples:",
                    "  fanout bench adaptive --dir fanout-demo --days 16 --wait-items 32",
                    "  fanout bench adaptive --dir fanout-demo --quick"})
    static final class Adaptive implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "fanout-demo",
                description = "The demo's data (fanout demo --dir DIR made it; default: ./${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--range", paramLabel = "[day=]FROM..TO", defaultValue = "day=2026-10-01..2026-12-31",
                description = "The days of the day job (default: the demo's ${DEFAULT-VALUE}, 92 days).")
        String range;

        @Option(names = "--days", paramLabel = "N", description = "Only the first N days of the range.")
        Integer days;

        @Option(names = "--wait-items", paramLabel = "N", defaultValue = "64",
                description = "Runs of the driver-wait job (default: ${DEFAULT-VALUE}).")
        int waitItems;

        @Option(names = "--wait", paramLabel = "DURATION", converter = RunOptions.DurationConverter.class, defaultValue = "2s",
                description = "How long each run of the driver-wait job waits (default: ${DEFAULT-VALUE}).")
        Duration waitTime;

        @Option(names = "--quick", description = "A quick look: 12 days, 24 driver-wait runs of 1 s, 1 round.")
        boolean quick;

        @Option(names = "--only", split = ",", paramLabel = "day|wait|longest",
                description = "Only these benchmarks (default: all three).")
        List<String> only;

        @Option(names = "--rounds", paramLabel = "N", defaultValue = "1", description = "Measured rounds (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--settings", split = ",", paramLabel = "SETTING",
                description = "Only these settings: N, auto or adaptive (default: 1,2,4,8,16,32,auto,adaptive).")
        List<String> settings;

        @Option(names = "--html", paramLabel = "FILE", defaultValue = "bench-adaptive.html",
                description = "Where to write the chart (default: ./${DEFAULT-VALUE}).")
        Path html;

        @Mixin
        SparkOptions spark;

        @Override
        public Integer call() throws Exception {
            try {
                return execute();
            } catch (BadInputException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }

        private boolean wanted(String what) {
            return only == null || only.isEmpty() || only.contains(what);
        }

        private int execute() throws Exception {
            if (quick) {
                days = days == null ? 12 : days;
                waitItems = Math.min(waitItems, 24);
                waitTime = spec.commandLine().getParseResult().hasMatchedOption("--wait") ? waitTime : Duration.ofSeconds(1);
            }
            if (settings != null) {
                for (String s : settings) {
                    if (!s.matches("[1-9][0-9]*|auto|adaptive")) {
                        throw new BadInputException("--settings: '" + s + "' is not a number, 'auto' or 'adaptive'");
                    }
                }
            }
            if (rounds < 1 || waitItems < 1 || (days != null && days < 1)) {
                throw new BadInputException("--rounds, --wait-items and --days must be at least 1, got " + rounds + ", "
                        + waitItems + ", " + days);
            }
            Warehouse warehouse = new Warehouse(dir);
            if (wanted("day") && warehouse.generatedWith().isEmpty()) {
                throw new BadInputException("no demo data in " + warehouse.dir() + "; make it with: fanout demo --dir " + dir);
            }
            List<Map<String, String>> dayItems = dayItems(range, days, warehouse, Map.of());
            List<Map<String, String>> waits = new ArrayList<>();
            for (int i = 0; i < waitItems; i++) {
                waits.add(Map.of("i", Integer.toString(i)));
            }
            SparkCommand.LoadedJob loaded = SparkCommand.load(Patterns.JOB, spark);
            RunOptions none = new RunOptions();
            none.noHistory = true;
            none.secrets = Redaction.DEFAULT_PATTERN;
            Environment env = bench.parent.env();
            try (BatchLauncher launcher = new BatchLauncher(env, "bench adaptive", spark, none)) {
                SparkSession session = launcher.start(Parallelism.DEFAULT_MAX, loaded.loader(), "bench adaptive",
                        Map.of("spark.ui.enabled", "false"));
                dev.fanout.cli.bench.AdaptiveBenchmark b = new dev.fanout.cli.bench.AdaptiveBenchmark(session, rounds, env.err(), settings);
                Map<String, List<dev.fanout.cli.bench.AdaptiveBenchmark.Row>> results = new LinkedHashMap<>();
                String master = session.sparkContext().master();
                if (wanted("day")) {
                    if (!DeltaTable.isDeltaTable(session, warehouse.dailyMetrics())) {
                        DailyMetrics.createTable(session, warehouse);
                    }
                    new dev.fanout.cli.bench.AdaptiveBenchmark(session, 1, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()),
                            List.of("2"))
                            .compare(new dev.fanout.cli.bench.AdaptiveBenchmark.Workload("warm-up", loaded.job(),
                                    dayItems.subList(0, Math.min(4, dayItems.size())))); // JIT and caches, unmeasured
                    String title = "(a) " + loaded.job().name() + ", " + dayItems.size() + " days, " + master;
                    env.err().println("fanout bench adaptive: " + title);
                    var rows = b.compare(new dev.fanout.cli.bench.AdaptiveBenchmark.Workload("day job", loaded.job(), dayItems));
                    dev.fanout.cli.bench.AdaptiveBenchmark.table(title, rows, dayItems.size(), env.out());
                    results.put(title, rows);
                }
                if (wanted("wait")) {
                    String title = "(b) a " + dev.fanout.DurationFormat.format(waitTime) + " wait on the driver, then a tiny Spark job, "
                            + master;
                    env.err().println("fanout bench adaptive: " + title);
                    var rows = b.compare(new dev.fanout.cli.bench.AdaptiveBenchmark.Workload("driver wait",
                            dev.fanout.cli.bench.AdaptiveBenchmark.driverWait(waitTime.toMillis()), waits));
                    dev.fanout.cli.bench.AdaptiveBenchmark.table(title, rows, waits.size(), env.out());
                    results.put(title, rows);
                }
                if (wanted("longest")) {
                    List<Map<String, String>> items = new ArrayList<>();
                    for (int i = 0; i < 30; i++) {
                        items.add(Map.of("i", Integer.toString(i), "long", Boolean.toString(i >= 27)));
                    }
                    long unit = quick ? 250 : 500;
                    env.err().println("fanout bench adaptive: longest first, 30 items, the last 3 taking 8x longer, 4 at once");
                    double[] m = b.longestFirst(dev.fanout.cli.bench.AdaptiveBenchmark.shortAndLong(unit), items, 4);
                    env.out().printf(java.util.Locale.ROOT, "longest first (30 runs of %d ms on the driver, the last 3 of %d ms;"
                            + " 4 at once; median of %d round(s)): input order %.1f s, longest first %.1f s (%.2fx)%n",
                            unit, 8 * unit, rounds, m[0], m[1], m[1] / m[0]);
                }
                if (!results.isEmpty()) {
                    Path file = html.toAbsolutePath();
                    if (file.getParent() != null) {
                        Files.createDirectories(file.getParent());
                    }
                    Files.writeString(file, dev.fanout.cli.bench.AdaptiveBenchmark.html(results, master));
                    env.err().println("chart: " + file);
                }
                return ExitCode.OK;
            }
        }
    }
}
