package dev.fanout.cli;

import dev.fanout.DurationFormat;
import dev.fanout.BadInputException;
import dev.fanout.rows.HttpRowFunction;
import dev.fanout.rows.RowFanout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "rows", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Call a web API once per row of a file, spread over the Spark executors (not a thread pool on the driver):",
                "bounded concurrency per partition, a global rate limit, per-call timeout, retries with backoff for 429/5xx"
                        + " (Retry-After honoured). Every row is written once, with result, error, error_kind, attempts, latency_ms."},
        footer = {"", "Examples:",
                "  fanout rows --input items.csv --url 'https://api.example.com/items/{id}' --rate 50 --output priced.parquet",
                "  fanout rows --input items.json --url 'https://api.example.com/price' --method POST \\",
                "      --header 'Authorization: Bearer {token}' --body '{\"sku\": \"{sku}\"}' --field price:double=/data/price --output out.csv",
                "", "Placeholders: {column} takes the row's value (percent-encoded in the URL, JSON-escaped in a JSON body);"
                        + " {@pid}, {@host}, {@partition}, {@attempt} tell where the call is made.",
                "Exit codes: 0 every row has a result, 1 some rows ended in error (they are in the output), 2 bad usage or input"
                        + " (no call made), 130 interrupted."})
final class RowsCommand implements Callable<Integer> {
    private static final Pattern FIELD = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?=(.*)");

    @ParentCommand
    FanoutCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "The rows: .csv (header row), .json (JSON Lines or an array) or .parquet (file or directory).")
    Path input;

    @Option(names = "--format", paramLabel = "csv|json|parquet", description = "Format of --input, when its extension does not say.")
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

    @Option(names = "--rate", paramLabel = "CALLS_PER_SECOND", description = "The most calls per second over the whole cluster, retries included (default: no limit).")
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

    @Option(names = "--output", required = true, paramLabel = "PATH", description = "Where to write the rows: a directory of part files, as Spark writes; format from the extension.")
    Path output;

    @Option(names = "--output-format", paramLabel = "csv|json|parquet", description = "Format of --output, when its extension does not say.")
    String outputFormat;

    @Option(names = "--overwrite", description = "Replace --output if it exists.")
    boolean overwrite;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        try {
            return execute();
        } catch (BadInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private int execute() {
        String inFormat = inputFormat();
        String outFormat = format(outputFormat, output, "--output");
        if (Files.exists(output) && !overwrite) {
            throw new BadInputException("--output '" + output + "' exists; remove it or give --overwrite");
        }
        checkNumbers();
        HttpRowFunction fn = function();
        RowFanout.Builder rows = RowFanout.builder().concurrency(concurrency).timeout(timeout).retries(retries)
                .maxRetryAfter(maxRetryAfter);
        if (rate != null) {
            rows.rate(rate);
        }
        if (partitions != null) {
            rows.partitions(partitions);
        }
        BatchExecution.configureLogging(spark.verbose);
        Map<String, String> defaults = Map.of("spark.executor.heartbeatInterval", "2s"); // running tasks' counts reach the progress line
        SparkSession session = BatchExecution.start(parent.env, spark, 1, BatchExecution.sparkConf(spark, defaults), "rows");
        try {
            return run(session, fn, rows.build(), inFormat, outFormat);
        } finally {
            parent.env.spark().stop(session);
        }
    }

    private int run(SparkSession session, HttpRowFunction fn, RowFanout fanout, String inFormat, String outFormat) {
        awaitExecutors(session);
        Dataset<Row> in;
        long total;
        try {
            in = read(session, inFormat);
            total = in.count();
        } catch (Exception e) { // Spark's SparkException is checked, thrown unchecked from Scala
            if (e instanceof BadInputException bad) {
                throw bad;
            }
            throw new BadInputException("--input '" + input + "': cannot read it as " + inFormat + ": " + firstLine(e));
        }
        RowFanout.Tracked tracked;
        try {
            tracked = fanout.prepare(in, fn);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(withOption(e.getMessage()));
        }
        Dataset<Row> out = flatten(tracked.dataset(), in.schema(), fn);
        var err = parent.env.err();
        err.printf("fanout rows: %d rows of %s over %d partitions (%d at once), %d calls in flight per partition, %s%n", total,
                input, tracked.partitions(), tracked.runningAtOnce(), concurrency,
                rate == null ? "no rate limit" : String.format(Locale.ROOT, "at most %.4g calls/s (%.4g per partition)", rate,
                        tracked.ratePerPartition()));
        long start = System.nanoTime();
        AtomicBoolean interrupted = new AtomicBoolean();
        ProgressLine progress = new ProgressLine(err, parent.env.stderrIsTerminal(), Duration.ofSeconds(5), total,
                () -> tracked.counters().rowsDone(), () -> progress(tracked, total, start));
        boolean written = false;
        String group = "fanout-rows-" + Long.toHexString(System.nanoTime());
        // interruptOnCancel: a cancelled task's thread is interrupted, so its calls stop at once
        session.sparkContext().setJobGroup(group, "fanout rows " + input.getFileName(), true);
        try (SignalTrap trap = SignalTrap.install(err, "stopping the calls", () -> {
            interrupted.set(true);
            if (!spark.verbose) {
                // the user asked to stop: Spark's and Hadoop's logs of the tasks and the write being aborted are noise
                org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.spark", org.apache.logging.log4j.Level.OFF);
                org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.hadoop", org.apache.logging.log4j.Level.OFF);
            }
            session.sparkContext().cancelJobGroup(group);
        })) {
            var writer = out.write().format(outFormat).mode(overwrite ? "overwrite" : "errorifexists");
            if (outFormat.equals("csv")) {
                writer = writer.option("header", "true");
            }
            writer.save(output.toString());
            written = true;
        } catch (Exception e) { // the write's SparkException is checked, thrown unchecked from Scala
            if (!interrupted.get()) {
                throw e;
            }
        } finally {
            session.sparkContext().clearJobGroup();
            progress.close();
            tracked.close();
        }
        long nanos = System.nanoTime() - start;
        return summary(tracked, total, nanos, written, interrupted.get());
    }

    /** On a cluster the partitions are sized from the task slots: wait (bounded) for the executors to register. */
    private void awaitExecutors(SparkSession session) {
        var sc = session.sparkContext();
        if (sc.isLocal()) {
            return;
        }
        try {
            Sizing.awaitExecutors(dev.fanout.internal.spark.ExecutorTracker.of(sc), executorWait, parent.env.err(), "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int summary(RowFanout.Tracked tracked, long total, long nanos, boolean written, boolean interrupted) {
        var err = parent.env.err();
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
            err.println("fanout rows: interrupted: the calls were stopped and " + output + " was not written");
            return BatchExecution.EXIT_INTERRUPTED;
        }
        err.println("output: " + output.toAbsolutePath() + (written ? "" : " (not written)"));
        return errors > 0 ? BatchExecution.EXIT_FAILED : BatchExecution.EXIT_OK;
    }

    private static String progress(RowFanout.Tracked tracked, long total, long start) {
        var c = tracked.counters();
        double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        return String.format(Locale.ROOT, "rows %d/%d done, %d in error, %d calls (%.1f/s), %s elapsed", c.rowsDone(), total,
                c.errors(), c.calls(), c.calls() / seconds, DurationFormat.format(Duration.ofMillis((long) (seconds * 1000))));
    }

    /** A struct result becomes one column per --field (CSV cannot hold a struct). */
    private Dataset<Row> flatten(Dataset<Row> out, StructType inputSchema, HttpRowFunction fn) {
        if (fn.fields().isEmpty()) {
            return out;
        }
        List<String> have = Arrays.asList(inputSchema.fieldNames());
        List<Column> cols = new ArrayList<>();
        for (String name : inputSchema.fieldNames()) {
            cols.add(functions.col("`" + name.replace("`", "``") + "`"));
        }
        for (HttpRowFunction.Field f : fn.fields()) {
            if (have.stream().anyMatch(f.name()::equalsIgnoreCase) || RowFanout.COLUMNS.stream().anyMatch(f.name()::equalsIgnoreCase)) {
                throw new BadInputException("--field " + f.name() + ": the output already has a column named '" + f.name()
                        + "'; give the field another name");
            }
            cols.add(functions.col("result." + f.name()).as(f.name()));
        }
        for (String name : RowFanout.COLUMNS.subList(1, RowFanout.COLUMNS.size())) {
            cols.add(functions.col(name));
        }
        return out.select(cols.toArray(new Column[0]));
    }

    private HttpRowFunction function() {
        try {
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
        } catch (IllegalArgumentException e) {
            throw new BadInputException(withOption(e.getMessage()));
        }
    }

    /** The library's message about a template, field or header, prefixed with the option it came from. */
    private static String withOption(String msg) {
        String option = msg.startsWith("URL template") ? "--url" : msg.startsWith("HTTP method") ? "--method"
                : msg.startsWith("field") ? "--field" : msg.startsWith("body") ? "--body" : msg.startsWith("header") ? "--header" : null;
        return option == null ? msg : option + ": " + msg;
    }

    private void checkNumbers() {
        if (concurrency < 1) {
            throw new BadInputException("--concurrency must be at least 1, got " + concurrency);
        }
        if (rate != null && !(rate > 0)) {
            throw new BadInputException("--rate must be a positive number of calls per second, got " + rate);
        }
        if (retries < 0) {
            throw new BadInputException("--retries must be 0 or more, got " + retries);
        }
        if (partitions != null && partitions < 1) {
            throw new BadInputException("--partitions must be at least 1, got " + partitions);
        }
    }

    private String inputFormat() {
        if (!Files.exists(input)) {
            throw new BadInputException("--input '" + input + "': no such file");
        }
        if (!Files.isReadable(input)) {
            throw new BadInputException("--input '" + input + "': not readable");
        }
        return format(format, input, "--input");
    }

    private static String format(String given, Path file, String option) {
        String f = given;
        if (f == null) {
            String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
            f = name.endsWith(".csv") ? "csv" : name.endsWith(".json") || name.endsWith(".jsonl") || name.endsWith(".ndjson") ? "json"
                    : name.endsWith(".parquet") ? "parquet" : null;
            if (f == null) {
                throw new BadInputException(option + " '" + file + "': cannot tell the format from its extension; name it .csv, .json"
                        + " or .parquet, or give " + (option.equals("--input") ? "--format" : "--output-format") + " csv|json|parquet");
            }
        }
        f = f.toLowerCase(Locale.ROOT);
        if (!List.of("csv", "json", "parquet").contains(f)) {
            throw new BadInputException((option.equals("--input") ? "--format" : "--output-format") + " '" + given
                    + "': give csv, json or parquet");
        }
        return f;
    }

    private Dataset<Row> read(SparkSession session, String inFormat) {
        DataFrameReader r = session.read().option("mode", "FAILFAST");
        String path = input.toAbsolutePath().toString();
        switch (inFormat) {
            case "csv":
                return r.option("header", "true").csv(path); // every column a string: values go into URLs as written
            case "json":
                return r.option("multiLine", Boolean.toString(startsWithBracket(input))).json(path);
            default:
                return r.parquet(path);
        }
    }

    private static boolean startsWithBracket(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            int c;
            while ((c = in.read()) != -1) {
                if (!Character.isWhitespace(c) && c != 0xEF && c != 0xBB && c != 0xBF) {
                    return c == '[';
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(BatchExecution.rootCause(e).getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

}
