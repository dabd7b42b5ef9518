package dev.fanout.cli.command;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.BadInputException;
import dev.fanout.BatchResult;
import dev.fanout.DurationFormat;
import dev.fanout.ErrorInfo;
import dev.fanout.FailurePolicy;
import dev.fanout.Fanout;
import dev.fanout.FanoutListener;
import dev.fanout.Outcome;
import dev.fanout.Parallelism;
import dev.fanout.RunResult;
import dev.fanout.cli.ExitCode;
import dev.fanout.cli.console.ProgressDisplay;
import dev.fanout.cli.console.SignalTrap;
import dev.fanout.cli.option.SizingOptions;
import dev.fanout.examples.airline.AirlineConfig;
import dev.fanout.examples.airline.AirlineGenerator;
import dev.fanout.examples.airline.AirlineWorkflow;
import dev.fanout.examples.airline.Warehouse;
import dev.fanout.history.HistoryStore;
import dev.fanout.report.Reports;
import dev.fanout.workflow.Task;
import dev.fanout.workflow.TaskResult;
import dev.fanout.workflow.Workflow;
import dev.fanout.workflow.WorkflowListener;
import dev.fanout.workflow.WorkflowResult;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fanout demo}: generates the airline data (first run only), then runs the shipped workflow
 * {@code airline.yml} ({@link AirlineWorkflow}: apply the batch, recompute the touched days, total them) through the
 * library, as {@code fanout workflow run} would. The workflow file and its SQL are copied out of the classpath into
 * {@code --dir} first, so the run recorded in the history names a file that exists, and the command printed at the
 * end runs it again as printed. What is specific to the demo is only what it prints: a line per task, the
 * recompute's live progress and summary, the totals and a few metrics.
 */
@Command(name = "demo", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run the airline example: apply a booking batch file and recompute the flight days it touched, in parallel.",
                "The first run generates a year of airline data into --dir (at --scale 1: about 1,000 flights a day and"
                        + " 19.5 million bookings), with five booking change files, one a day from the data's 'today'. Each run"
                        + " copies the example's workflow (airline.yml, sql/summary.sql) into --dir and runs it on the embedded"
                        + " local Spark and Delta tables, a line per task:",
                "  apply_batch    merges the next batch file not applied yet (or --batch N) into the bookings table and"
                        + " returns the flight days it touched",
                "  daily_metrics  recomputes the DailyMetrics job for every touched day, --parallelism days at a time",
                "  summary        totals the touched days (a SQL query)",
                "Then it prints the totals, a few of the metrics, where the tables are, the commands that show the run's"
                        + " history and report, and the 'fanout workflow run' command that runs the same again. Run it again to"
                        + " apply batch file 2, then 3, up to 5; after that, --batch N applies one again (a no-op) and"
                        + " recomputes its days."},
        footer = {"", "Examples:", "  fanout demo", "  fanout demo --batch 2 --parallelism 4", "  fanout demo --dir /tmp/airline --scale 0.1"},
        exitCodeListHeading = ExitCode.LIST_HEADING,
        exitCodeList = {"0:every task succeeded, or every batch file is applied already (nothing run)",
                "1:a task or one of its days failed", ExitCode.LIST_USAGE, "130:interrupted (Ctrl-C, SIGTERM)"})
public final class DemoCommand extends SparkCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The workflow params that are paths: printed relative to the working directory, as the user would type them. */
    private static final List<String> PATH_PARAMS = List.of("batch", "warehouse");
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./=:@%+,-]+");

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "fanout-demo",
            description = "Where the Delta tables, batch files and the workflow file live (default: ./${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--scale", paramLabel = "X", defaultValue = "1",
            description = "Data size: 1 is about 1,000 flights a day for a year (about 19.5 million bookings; generating it "
                    + "takes about a minute on 2 cores); 0.1 is a tenth, 3 three times. Only used when generating (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--batch", paramLabel = "N",
            description = "Which booking change file to apply, 1 to 5: one per day from the data's 'today' (default: the first"
                    + " not applied yet).")
    Integer batch;

    /** The batch file this run applies: --batch, else the first not applied yet. */
    private int applying;

    @picocli.CommandLine.Mixin
    SizingOptions sizing;

    @Override
    int execute() {
        Warehouse warehouse = new Warehouse(dir);
        AirlineConfig config = existingOrNew(warehouse);
        if (batch != null && (batch < 1 || batch > config.batches())) {
            throw new BadInputException("--batch must be between 1 and " + config.batches() + ", got " + batch);
        }
        Parallelism parallelism = sizing.parallelism(spark.master);
        if (batch == null && warehouse.nextBatch(config.batches()).isEmpty()) {
            env().err().printf("fanout demo: all %d booking batch files in %s are applied; '%s --batch N' (1 to %d)"
                    + " applies one again (a no-op) and recomputes the days it touches%n", config.batches(),
                    display(warehouse.dir().resolve("batches")), demoCommand(), config.batches());
            return ExitCode.OK;
        }
        applying = batch != null ? batch : warehouse.nextBatch(config.batches()).getAsInt();
        Path batchFile = warehouse.batchFile(applying);
        Map<String, String> params = workflowParams(batchFile, warehouse);
        PrintStream err = env().err();
        try (BatchLauncher launcher = new BatchLauncher(env(), "demo", spark, run)) {
            Workflow workflow = install(warehouse).withParams(params); // a bad -p is refused before Spark starts
            warnUnusedOptions(workflow);
            SparkSession session = launcher.start(parallelism.max(), DemoCommand.class.getClassLoader(), "demo", Map.of());
            err.printf("fanout demo: airline daily metrics in %s%n", warehouse.dir());
            if (warehouse.generatedWith().isEmpty()) {
                err.printf("generating the data (scale %s, first run only)%n", config.scale());
                long t0 = System.nanoTime();
                AirlineGenerator.Summary s = AirlineGenerator.generate(session, warehouse, config, line -> err.println("  " + line));
                err.printf("  %,d flights, %,d bookings, %d batch files of %,d rows in all, in %.1f s%n",
                        s.flights(), s.bookings(), s.batchFiles(), s.batchRows(), seconds(t0));
            } else {
                err.printf("reusing the data generated there (scale %s); delete the directory to regenerate%n", config.scale());
            }
            err.printf("workflow '%s' (%s): %s%n", workflow.name(), workflow.path(),
                    workflow.topologicalOrder().stream().map(Task::key).collect(Collectors.joining(" -> ")));
            Progress progress = new Progress(launcher, session, parallelism, workflow, batchFile);
            WorkflowResult result;
            try (Fanout fanout = launcher.fanout(parallelism, FailurePolicy.CONTINUE, progress,
                    launcher.sizing(parallelism, sizing.executorWait()))) {
                try (SignalTrap trap = SignalTrap.install(err, () -> fanout.abort("interrupted by signal"))) {
                    result = fanout.run(workflow, Map.of(), DemoCommand.class.getClassLoader(), progress);
                } finally {
                    progress.close();
                }
                PrintStream out = run.json ? err : env().out();
                printResult(result, out);
                printMetrics(session, warehouse, config, progress.days, out);
                err.printf("tables (Delta): %s/{bookings, flights, flight_ops, daily_metrics, ...}%n", warehouse.dir());
                err.printf("  metrics: %s (partitioned by flight_day)%n", warehouse.dailyMetrics());
                printHistory(launcher.store(), fanout, result, workflow);
                printNext(warehouse, config);
            }
            BatchResult metrics = progress.metricsBatch;
            if (run.json && metrics != null) {
                env().out().println(Reports.json(launcher.redaction().batch(metrics)));
            }
            return result.exitCode();
        }
    }

    /** The workflow's params: the batch file and the warehouse from --batch and --dir, and the other -p ones. */
    private Map<String, String> workflowParams(Path batchFile, Warehouse warehouse) {
        Map<String, String> params = new LinkedHashMap<>(AirlineWorkflow.params(batchFile, warehouse));
        run.params.forEach((k, v) -> {
            if (params.containsKey(k)) {
                throw new BadInputException("-p " + k + "=" + v + ": the demo sets " + k + " itself, from "
                        + (k.equals("batch") ? "--batch" : "--dir") + "; to run the workflow with other params use"
                        + " fanout workflow run " + shell(display(warehouse.dir().resolve(AirlineWorkflow.FILE))) + " -p ...");
            }
            params.put(k, v);
        });
        return params;
    }

    /** Copies the shipped workflow into --dir and reads it; a copy the user changed is replaced, and said so. */
    private Workflow install(Warehouse warehouse) {
        AirlineWorkflow.Copy copy;
        try {
            copy = AirlineWorkflow.copyTo(warehouse.dir());
        } catch (UncheckedIOException e) {
            throw new BadInputException("--dir " + dir + ": " + e.getMessage());
        }
        copy.replaced().forEach(p -> env().err().printf("fanout demo: %s differed from the example's; replaced by it"
                + " (run your own workflow with fanout workflow run)%n", p));
        return Workflow.read(copy.workflow());
    }

    /** --timeout and --retries apply to the tasks that set none; say so when the file sets them for every task. */
    private void warnUnusedOptions(Workflow workflow) {
        var given = spec.commandLine().getParseResult();
        if (given.hasMatchedOption("--timeout") && workflow.tasks().stream().allMatch(t -> workflow.timeout(t).isPresent())) {
            env().err().printf("fanout demo: warning: --timeout is not used: %s sets a timeout for every task%n", workflow.path());
        }
        if (given.hasMatchedOption("--retries") && workflow.tasks().stream().allMatch(t -> workflow.retries(t).isPresent())) {
            env().err().printf("fanout demo: warning: --retries is not used: %s sets retries for every task%n", workflow.path());
        }
    }

    /**
     * What the demo prints while the workflow runs (stderr): a line as each task starts and ends, and for the
     * recompute the live progress and the batch summary. Hears the workflow's tasks and, as the {@code Fanout}'s
     * listener, every run; the run events go to the recompute's progress while it runs (the workflow runs nothing
     * else meanwhile: every task depends on the one before).
     */
    private final class Progress implements WorkflowListener, FanoutListener, AutoCloseable {
        private final BatchLauncher launcher;
        private final SparkSession session;
        private final Parallelism parallelism;
        private final Workflow workflow;
        private final Path batchFile;
        private final Map<String, BatchResult> batches = new ConcurrentHashMap<>();
        private volatile ProgressDisplay display;
        volatile List<String> days = List.of();
        volatile BatchResult metricsBatch;

        Progress(BatchLauncher launcher, SparkSession session, Parallelism parallelism, Workflow workflow, Path batchFile) {
            this.launcher = launcher;
            this.session = session;
            this.parallelism = parallelism;
            this.workflow = workflow;
            this.batchFile = batchFile;
        }

        @Override
        public synchronized void onTaskStart(String runId, String key, int iterations, int kept, Instant at) {
            PrintStream err = env().err();
            switch (key) {
                case AirlineWorkflow.APPLY_BATCH ->
                        err.printf("[%s] applying batch file %d (%s) to the bookings table%s%n", key, applying, batchFile,
                                batch == null ? " (the first not applied yet)" : "");
                case AirlineWorkflow.DAILY_METRICS -> {
                    err.printf("[%s] recomputing DailyMetrics for %d days, %s at a time, on %s%n", key, iterations,
                            atATime(key), spark.master);
                    display = launcher.progress("DailyMetrics", iterations);
                }
                case AirlineWorkflow.SUMMARY -> err.printf("[%s] totalling the touched days (%s)%n", key,
                        workflow.task(key).flatMap(Task::sql).map(p -> workflow.path().getParent().relativize(p).toString())
                                .orElse("SQL"));
                default -> err.printf("[%s] started: %d iteration(s)%n", key, iterations);
            }
        }

        @Override
        public synchronized void onTaskEnd(String runId, TaskResult r) {
            PrintStream err = env().err();
            String key = r.key();
            if (key.equals(AirlineWorkflow.DAILY_METRICS)) {
                close();
                BatchResult b = r.batchId() == null ? null : batches.get(r.batchId());
                if (b != null) {
                    metricsBatch = b;
                    Reports.summary(launcher.redaction().batch(b), err, parallelism.dynamic() ? "parallelism "
                            + parallelism.spec() + " (" + parallelism.current(session.sparkContext()) + " at the end)" : null);
                }
            }
            String detail = "";
            if (r.succeeded()) {
                switch (key) {
                    case AirlineWorkflow.APPLY_BATCH -> {
                        days = parseDays(r.value());
                        detail = String.format(": %d flight days touched (%s .. %s)", days.size(),
                                days.isEmpty() ? "-" : days.get(0), days.isEmpty() ? "-" : days.get(days.size() - 1));
                    }
                    case AirlineWorkflow.DAILY_METRICS -> detail = ": " + r.iterations().size() + " days recomputed";
                    case AirlineWorkflow.SUMMARY -> detail = ": " + rows(r.value()).size() + " row(s)";
                    default -> { }
                }
            } else if (r.error() != null) {
                detail = ": " + r.error().firstLine();
            }
            err.printf("[%s] %s%s%s%n", key, r.outcome(), r.startedAt() == null ? "" : " in " + DurationFormat.format(r.duration()),
                    detail);
            if (key.equals(AirlineWorkflow.APPLY_BATCH) && r.failed()) {
                RunResult failed = r.iterations().isEmpty() ? null : r.iterations().get(0);
                ErrorInfo e = failed != null && failed.error() != null ? failed.error() : r.error();
                err.println("fanout demo: applying " + batchFile + " failed: " + (e == null ? r.outcome() : e.message()));
            }
        }

        /** The recompute's days at once: the smallest of --parallelism and the file's caps (parallelism, concurrency). */
        private String atATime(String key) {
            if (parallelism.dynamic()) {
                return "auto";
            }
            int n = parallelism.max();
            Optional<Parallelism> file = workflow.parallelism().filter(p -> !p.dynamic());
            if (file.isPresent()) {
                n = Math.min(n, file.get().max());
            }
            for (var loop : workflow.task(key).map(Task::forEach).orElse(List.of())) {
                if (loop.concurrency().isPresent()) {
                    n = Math.min(n, loop.concurrency().getAsInt());
                }
            }
            return Integer.toString(n);
        }

        @Override
        public void onBatchEnd(BatchResult result) {
            batches.put(result.batchId(), result);
        }

        @Override
        public void onRunStart(RunStart run) {
            ProgressDisplay d = display;
            if (d != null) {
                d.onRunStart(run);
            }
        }

        @Override
        public void onRunEnd(RunResult result) {
            ProgressDisplay d = display;
            if (d != null) {
                d.onRunEnd(result);
            }
        }

        @Override
        public synchronized void close() {
            if (display != null) {
                display.close();
                display = null;
            }
        }
    }

    /** The result for people: each task's outcome, the days recomputed and the summary's rows. */
    private static void printResult(WorkflowResult result, PrintStream out) {
        out.printf("workflow %s: %s; in %s%s%n", result.name(), result.tasks().values().stream()
                .map(t -> t.key() + " " + t.outcome() + (t.iterations().size() > 1 ? " (" + t.iterations().size() + " iterations)" : ""))
                .collect(Collectors.joining(", ")), DurationFormat.format(result.duration()),
                result.interrupted() ? " (interrupted)" : "");
        TaskResult metrics = result.task(AirlineWorkflow.DAILY_METRICS);
        if (metrics.outcome() != Outcome.SKIPPED) {
            long recomputed = metrics.iterations().stream().filter(r -> r.outcome() == Outcome.SUCCEEDED).count();
            out.printf("days recomputed: %d of %d%n", recomputed, metrics.iterations().size());
        }
        TaskResult summary = result.task(AirlineWorkflow.SUMMARY);
        if (summary.succeeded()) {
            out.println("Totals of the touched days (task summary):");
            printTable(rows(summary.value()), out);
        }
    }

    /** JSON objects as an aligned table, a column per field of the first; numbers right-aligned. */
    static void printTable(List<JsonNode> rows, PrintStream out) {
        if (rows.isEmpty()) {
            out.println("  (no rows)");
            return;
        }
        List<String> columns = new ArrayList<>();
        rows.get(0).fieldNames().forEachRemaining(columns::add);
        int[] width = columns.stream().mapToInt(String::length).toArray();
        for (JsonNode r : rows) {
            for (int i = 0; i < columns.size(); i++) {
                width[i] = Math.max(width[i], cell(r.get(columns.get(i))).length());
            }
        }
        StringBuilder header = new StringBuilder(" ");
        for (int i = 0; i < columns.size(); i++) {
            header.append(' ').append(pad(columns.get(i), width[i], rows.get(0).path(columns.get(i)).isNumber()));
        }
        out.println(header.toString().stripTrailing());
        for (JsonNode r : rows) {
            StringBuilder line = new StringBuilder(" ");
            for (int i = 0; i < columns.size(); i++) {
                JsonNode v = r.get(columns.get(i));
                line.append(' ').append(pad(cell(v), width[i], v != null && v.isNumber()));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** A value as people read it: decimals in plain notation (27071036.35, not 2.707103635E7), null as "-". */
    private static String cell(JsonNode v) {
        if (v == null || v.isNull()) {
            return "-";
        }
        if (v.isFloatingPointNumber() || v.isBigDecimal()) {
            return v.decimalValue().toPlainString();
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    private static String pad(String s, int width, boolean right) {
        return right ? " ".repeat(width - s.length()) + s : s + " ".repeat(width - s.length());
    }

    /** A SQL task's value: its rows (a JSON array of objects); none when it is not one. */
    static List<JsonNode> rows(String value) {
        List<JsonNode> rows = new ArrayList<>();
        try {
            JsonNode array = value == null ? null : JSON.readTree(value);
            if (array != null && array.isArray()) {
                array.forEach(rows::add);
            }
        } catch (JsonProcessingException e) {
            // not rows: nothing to show
        }
        return rows;
    }

    /** Where the run is recorded, how to look at it, and the command that runs the same workflow again. */
    private void printHistory(HistoryStore store, Fanout fanout, WorkflowResult result, Workflow workflow) {
        PrintStream err = env().err();
        String history = run.history == null ? "" : " --history " + shell(display(run.history));
        if (store == null) {
            err.println("history: not recorded (--no-history)");
        } else {
            RuntimeException failure = fanout.historyFailure(result.runId());
            if (failure != null) {
                err.println("fanout: warning: the history of this workflow run is incomplete: " + failure.getMessage());
            }
            err.printf("history: workflow run %s in %s%s%n", result.runId(), store.location(),
                    result.succeeded() ? "" : "; run what did not succeed again with: fanout resume " + result.runId() + history);
            err.printf("  fanout history %s%s                 its tasks and iterations%n", result.runId(), history);
            err.printf("  fanout report %s%s -o report.html   its timeline (HTML)%n", result.runId(), history);
            if (run.report != null) {
                BatchLauncher.writeReport(env(), store, result.runId(), run.report);
            }
        }
        StringBuilder command = new StringBuilder("fanout workflow run ").append(shell(display(workflow.path())));
        workflow.params().forEach((k, v) -> command.append(" -p ").append(shell(k + "=" + (PATH_PARAMS.contains(k)
                ? display(Path.of(v)) : v))));
        err.println("the same workflow, run again from the command line:");
        err.println("  " + command + history);
    }

    /** What the next 'fanout demo' applies. */
    private void printNext(Warehouse warehouse, AirlineConfig config) {
        var next = warehouse.nextBatch(config.batches());
        if (next.isPresent()) {
            env().err().printf("next: '%s' applies batch file %d of %d%n", demoCommand(), next.getAsInt(), config.batches());
        } else {
            env().err().printf("all %d batch files are applied; '%s --batch N' applies one again%n", config.batches(), demoCommand());
        }
    }

    /** This command as the user would type it again: with --dir unless it is the default. */
    private String demoCommand() {
        return "fanout demo" + (dir.equals(Path.of("fanout-demo")) ? "" : " --dir " + shell(display(dir)));
    }

    /** A path as the user would type it here: relative to the working directory when under it. */
    static String display(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath();
        return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    /** A word quoted for a POSIX shell when it needs to be. */
    static String shell(String word) {
        return SHELL_SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /** The configuration of the data in --dir, or the one to generate; bad combinations are usage errors. */
    private AirlineConfig existingOrNew(Warehouse warehouse) {
        Optional<AirlineConfig> existing;
        try {
            existing = warehouse.generatedWith();
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new BadInputException("--dir " + dir + ": " + e.getMessage() + "; delete the directory to regenerate");
        }
        boolean scaleGiven = spec.commandLine().getParseResult().hasMatchedOption("--scale");
        if (existing.isPresent()) {
            if (scaleGiven && existing.get().scale() != scale) {
                throw new BadInputException("--scale " + scale + ": --dir " + dir + " holds data generated with --scale "
                        + existing.get().scale() + "; use another --dir, or delete it to regenerate");
            }
            return existing.get();
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException("--dir " + dir + " is a file, not a directory");
        }
        try {
            return AirlineConfig.defaults(scale);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--scale " + scale + ": " + e.getMessage());
        }
    }

    /** ApplyBatch's exit value: a JSON array of dates. */
    static List<String> parseDays(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("ApplyBatch returned '" + json + "', not a JSON array of dates", e);
        }
    }

    /** A few lines of the resulting metrics: the busiest routes of the first day ahead, punctuality of the last day flown. */
    private static void printMetrics(SparkSession spark, Warehouse warehouse, AirlineConfig config, List<String> days, PrintStream out) {
        if (days.isEmpty()) {
            return;
        }
        Dataset<Row> metrics = spark.read().format("delta").load(warehouse.dailyMetrics());
        String ahead = days.stream().filter(d -> !LocalDate.parse(d).isBefore(config.asOf())).findFirst().orElse(days.get(0));
        out.printf("Top routes by revenue on %s:%n", ahead);
        out.printf("  %-8s %-9s %7s %15s %6s %12s%n", "route", "aircraft", "flights", "seats sold/cap", "load", "revenue");
        for (Row r : metrics.where(col("flight_day").equalTo(lit(Date.valueOf(ahead))).and(col("grain").equalTo("route")))
                .orderBy(desc("revenue"), col("origin"), col("destination")).limit(5).collectAsList()) {
            out.printf("  %-8s %-9s %7d %15s %5.1f%% %,12.2f%n", r.getAs("origin") + "-" + r.getAs("destination"),
                    r.getAs("aircraft_model"), r.<Long>getAs("flights"), r.getAs("seats_sold") + "/" + r.getAs("capacity"),
                    100 * r.<Double>getAs("load_factor"), r.<java.math.BigDecimal>getAs("revenue"));
        }
        days.stream().filter(d -> LocalDate.parse(d).isBefore(config.asOf())).reduce((a, b) -> b).ifPresent(flown -> {
            Row t = metrics.where(col("flight_day").equalTo(lit(Date.valueOf(flown))).and(col("grain").equalTo("route")))
                    .agg(sum("flown"), sum(col("on_time_departure_rate").multiply(col("flown"))),
                            sum(col("on_time_arrival_rate").multiply(col("flown"))), sum("revenue"))
                    .first();
            if (!t.isNullAt(0) && t.getLong(0) > 0) {
                out.printf("On %s (flown): %d flights, %.1f%% departed and %.1f%% arrived on time, revenue %,.2f%n", flown,
                        t.getLong(0), 100 * t.getDouble(1) / t.getLong(0), 100 * t.getDouble(2) / t.getLong(0), t.getDecimal(3));
            }
        });
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

}
