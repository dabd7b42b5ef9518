package dev.fanout.cli.command;

import dev.fanout.BadInputException;
import dev.fanout.cli.ExitCode;
import dev.fanout.cli.FanoutCommand;
import dev.fanout.cli.console.ProgressLine;
import dev.fanout.cli.console.SignalTrap;
import dev.fanout.cli.option.RunOptions;
import dev.fanout.cli.option.SparkOptions;
import dev.fanout.DurationFormat;
import dev.fanout.rows.HttpRowFunction;
import dev.fanout.rows.RowFanout;
import dev.fanout.rows.RowInput;
import dev.fanout.rows.RowOutput;
import dev.fanout.rows.RowSettingException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code fanout rows}: maps its options to the library ({@link RowInput}, {@link RowOutput}, {@link HttpRowFunction},
 * {@link RowFanout}) and prints. The library checks every setting once and names the bad one in its
 * {@link RowSettingException}; {@link #OPTIONS} renders that name as the option the user typed.
 */
@Command(name = "rows", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Call a web API once per row of a file, on the Spark executors instead of a thread pool on the driver.",
                "Bounded concurrency per partition, a global rate limit, a timeout per call, retries with backoff for 429"
                        + " and 5xx (Retry-After honoured). Every row is written once, with the answer (its body as result, or"
                        + " one column per --field), error, error_kind, attempts and latency_ms."},
        footer = {"", "Examples:",
                "  fanout rows --input items.csv --url 'https://api.example.com/items/{id}' --rate 50 --output priced.parquet",
                "  fanout rows --input items.json --url 'https://api.example.com/price' --method POST"
                        + " --header 'Authorization: Bearer {token}' --body '{\"sku\": \"{sku}\"}' --field price:double=/data/price"
                        + " --output out.csv",
                "", "Placeholders: {column} takes the row's value (percent-encoded in the URL, JSON-escaped in a JSON body);"
                        + " {@pid}, {@host}, {@partition}, {@attempt} tell where the call is made.",
                },
        exitCodeListHeading = ExitCode.LIST_HEADING,
        exitCodeList = {"0:every row has an answer", "1:some rows ended in error (they are in the output with their error)",
                "2:bad usage or input: no call was made", "130:interrupted (Ctrl-C, SIGTERM)"})
public final class RowsCommand implements Callable<Integer> {
    private static final Pattern FIELD = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?=(.*)");

    /** The library's setting names ({@link RowSettingException#setting()}) as this command's options. */
    private static final Map<String, String> OPTIONS = Map.ofEntries(
            Map.entry("input", "--input"), Map.entry("inputFormat", "--format"), Map.entry("url", "--url"),
            Map.entry("method", "--method"), Map.entry("header", "--header"), Map.entry("body", "--body"),
            Map.entry("field", "--field"), Map.entry("concurrency", "--concurrency"), Map.entry("rate", "--rate"),
            Map.entry("timeout", "--timeout"), Map.entry("retries", "--retries"), Map.entry("maxRetryAfter", "--max-retry-after"),
            Map.entry("partitions", "--partitions"), Map.entry("executorWait", "--executor-wait"), Map.entry("output", "--output"),
            Map.entry("outputFormat", "--output-format"), Map.entry("outputLayout", "--output-layout"),
            Map.entry("overwrite", "--overwrite"));

    @ParentCommand
    FanoutCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "The rows: .csv (header row), .json (JSON Lines or an array) or .parquet (file or directory).")
    Path input;

    @Option(names = "--format", paramLabel = "csv|jsonl|json|parquet",
            description = "The format of --input when its extension does not say: csv, jsonl or json (JSON Lines or an array), parquet.")
    String format;

    @Option(names = "--url", required = true, paramLabel = "TEMPLATE", description = "The URL of each call, e.g. http://127.0.0.1:8080/items/{id}.")
    String url;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "GET", description = "HTTP method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "A request header; the value may hold placeholders (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = "--body", paramLabel = "TEMPLATE", description = "A request body; JSON (starting with { or [) unless a Content-Type header says otherwise.")
    String body;

    @Option(names = "--field", paramLabel = "NAME[:TYPE]=POINTER",
            description = "Maps a field of the JSON answer to an output column: POINTER /a/b or a.b; TYPE string (default), long,"
                    + " double, boolean or json (repeatable). Without --field the answer's body is the result column.")
    List<String> fields = new ArrayList<>();

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8", description = "Calls in flight at once per partition (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--rate", paramLabel = "N", description = "The most calls per second over the whole cluster, retries included (default: no limit); may be a fraction, e.g. 0.5.")
    Double rate;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = RunOptions.DurationConverter.class,
            description = "Per call (default: ${DEFAULT-VALUE}); a call past it is a retryable timeout.")
    Duration timeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "3",
            description = "Calls again after 429, 5xx, timeouts and connection errors, with exponential backoff (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--max-retry-after", paramLabel = "DURATION", defaultValue = "60s", converter = RunOptions.DurationConverter.class,
            description = "The longest Retry-After honoured; a longer one ends the row with its error (default: ${DEFAULT-VALUE}).")
    Duration maxRetryAfter;

    @Option(names = "--partitions", paramLabel = "N", description = "Spark partitions (tasks) to spread the rows over (default: the input's, at least the cluster's task slots).")
    Integer partitions;

    @Option(names = "--executor-wait", paramLabel = "DURATION", defaultValue = "60s", converter = RunOptions.DurationConverter.class,
            description = "On a cluster, how long to wait for executors to register before sizing the partitions (default: ${DEFAULT-VALUE}).")
    Duration executorWait;

    @Option(names = "--output", required = true, paramLabel = "PATH",
            description = "Where to write the rows: a path ending in .csv, .json, .jsonl or .parquet is one file of that format,"
                    + " rows in input order (CSV quoted as RFC 4180); any other path is a directory of part files, as Spark writes.")
    Path output;

    @Option(names = "--output-format", paramLabel = "csv|jsonl|json|parquet",
            description = "The format of --output when its extension does not say: csv, jsonl or json (JSON Lines), parquet.")
    String outputFormat;

    @Option(names = "--output-layout", paramLabel = "file|spark",
            description = "file: one file; spark: Spark's directory of part files (default: file when --output has a format's extension).")
    RowOutput.Layout outputLayout;

    @Option(names = "--overwrite", description = "Replace --output if it exists.")
    boolean overwrite;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        try {
            return execute();
        } catch (RowSettingException e) {
            throw new ParameterException(spec.commandLine(), e.message(RowsCommand::option));
        } catch (BadInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The option for one of the library's settings (its own name when the command has no such option). */
    static String option(String setting) {
        return OPTIONS.getOrDefault(setting, setting);
    }

    private int execute() {
        RowInput in = RowInput.of(input, format);
        RowOutput out = RowOutput.to(output).format(outputFormat).layout(outputLayout).overwrite(overwrite).build();
        HttpRowFunction fn = function();
        RowFanout.Builder rows = RowFanout.builder().concurrency(concurrency).timeout(timeout).retries(retries)
                .maxRetryAfter(maxRetryAfter).executorWait(executorWait).flattenFields(true); // CSV cannot hold a struct
        if (rate != null) {
            rows.rate(rate);
        }
        if (partitions != null) {
            rows.partitions(partitions);
        }
        RowFanout fanout = rows.build();
        Map<String, String> defaults = Map.of("spark.executor.heartbeatInterval", "2s"); // running tasks' counts reach the progress line
        SparkSession session = BatchLauncher.startSpark(parent.env(), spark, 1, "rows", defaults);
        try {
            return run(session, in, out, fn, fanout);
        } finally {
            parent.env().spark().stop(session);
        }
    }

    private int run(SparkSession session, RowInput in, RowOutput out, HttpRowFunction fn, RowFanout fanout) {
        RowInput.Counted read = in.readAndCount(session);
        long total = read.count();
        RowFanout.Tracked tracked = fanout.prepare(read.rows(), fn);
        var err = parent.env().err();
        tracked.executorWait().ifPresent(w -> {
            if (w.executors() == 0) {
                err.printf("fanout: warning: no executor registered within %s%n", DurationFormat.format(w.limit()));
            } else {
                err.printf(Locale.ROOT, "fanout: %d executor(s) registered in %.1fs%n", w.executors(), w.waited().toMillis() / 1e3);
            }
        });
        err.printf("fanout rows: %d rows of %s over %d partitions (%d at once), %d calls in flight per partition, %s%n", total,
                input, tracked.partitions(), tracked.runningAtOnce(), concurrency,
                rate == null ? "no rate limit" : String.format(Locale.ROOT, "at most %.4g calls/s (%.4g per partition)", rate,
                        tracked.ratePerPartition()));
        long start = System.nanoTime();
        AtomicBoolean interrupted = new AtomicBoolean();
        ProgressLine progress = new ProgressLine(err, parent.env().stderrIsTerminal(), Duration.ofSeconds(5), total,
                () -> tracked.counters().rowsDone(), () -> progress(tracked, total, start));
        boolean written = false;
        try (SignalTrap trap = SignalTrap.install(err, "stopping the calls", () -> {
            interrupted.set(true);
            if (!spark.verbose) {
                // the user asked to stop: Spark's and Hadoop's logs of the tasks and the write being aborted are noise
                org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.spark", org.apache.logging.log4j.Level.OFF);
                org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.hadoop", org.apache.logging.log4j.Level.OFF);
            }
            tracked.cancel();
        })) {
            tracked.write(out);
            written = true;
        } catch (Exception e) { // CancellationException after a cancel; Spark's checked exceptions arrive unchecked
            if (!interrupted.get()) {
                throw e;
            }
        } finally {
            progress.close();
            tracked.close();
        }
        long nanos = System.nanoTime() - start;
        return summary(tracked, total, nanos, written, interrupted.get());
    }

    private int summary(RowFanout.Tracked tracked, long total, long nanos, boolean written, boolean interrupted) {
        var err = parent.env().err();
        var c = tracked.counters();
        long done = c.rowsDone();
        long errors = c.errors();
        long calls = c.calls();
        double seconds = nanos / 1e9;
        String kinds = c.errorsByKind().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining(", "));
        err.printf(Locale.ROOT, "rows: %d of %d in %s: %d with a result, %d in error%s%n", done, total,
                DurationFormat.format(Duration.ofNanos(nanos)), done - errors, errors, errors == 0 ? "" : " (" + kinds + ")");
        err.printf(Locale.ROOT, "calls: %d (%d retries), %.1f calls/s, %.1f rows/s%n", calls, Math.max(0, calls - done),
                calls / seconds, done / seconds);
        if (interrupted) {
            err.println("fanout rows: interrupted: the calls were stopped and " + output
                    + (written ? " was written all the same (the stop came as it ended)" : " was not written"));
            return ExitCode.INTERRUPTED;
        }
        err.println("output: " + output.toAbsolutePath() + (written ? "" : " (not written)"));
        return errors > 0 ? ExitCode.FAILED : ExitCode.OK;
    }

    private static String progress(RowFanout.Tracked tracked, long total, long start) {
        var c = tracked.counters();
        double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        return String.format(Locale.ROOT, "rows %d/%d done, %d in error, %d calls (%.1f/s), %s elapsed", c.rowsDone(), total,
                c.errors(), c.calls(), c.calls() / seconds, DurationFormat.format(Duration.ofMillis((long) (seconds * 1000))));
    }

    /** The request; only the option syntax is checked here, the library checks the values. */
    private HttpRowFunction function() {
        HttpRowFunction.Builder b = HttpRowFunction.request(method, url);
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new BadInputException("--header '" + h + "': expected 'Name: value'");
            }
            b.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
        if (body != null) {
            b.body(body);
        }
        for (String f : fields) {
            Matcher m = FIELD.matcher(f);
            if (!m.matches()) {
                throw new BadInputException("--field '" + f + "': expected NAME[:TYPE]=POINTER, e.g. price:double=/data/price");
            }
            b.field(m.group(1), m.group(3), m.group(2));
        }
        return b.build();
    }
}
