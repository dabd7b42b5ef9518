package dev.fanout.cli.option;

import dev.fanout.BadInputException;
import dev.fanout.DurationFormat;
import dev.fanout.Redaction;
import dev.fanout.history.BatchSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * How each run is run and what is recorded and printed: shared by {@code run}, {@code foreach}, {@code resume}, {@code demo}
 * and {@code workflow run}. Where an option means something particular in one command, {@code dev/fanout/cli/help.properties}
 * words it for that command.
 */
public final class RunOptions {
    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
            description = "A parameter of the job, given to every run (repeatable).")
    public Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Per-attempt deadline (90s, 10m, 2h, 1h30m); the run's Spark jobs are cancelled when it passes.")
    public Duration timeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "0",
            description = "Retries after a failed attempt, with exponential backoff and jitter (default: ${DEFAULT-VALUE})."
                    + " Bad parameters and timeouts are not retried.")
    public int retries;

    @Option(names = "--order", paramLabel = "longest-first|input", defaultValue = "longest-first",
            description = "The order runs start in: 'longest-first' starts the items whose earlier runs of the same job took"
                    + " longest first (from the history; input order when it knows none), 'input' keeps the input's order"
                    + " (default: ${DEFAULT-VALUE}).")
    public String order;

    /** The start order, checked. */
    public dev.fanout.Order order() {
        try {
            return dev.fanout.Order.parse(order == null ? "longest-first" : order);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--order must be 'longest-first' or 'input', got '" + order + "'");
        }
    }

    @Option(names = "--json", description = "Print one JSON document with every run's outcome on stdout; everything else goes to stderr.")
    public boolean json;

    @Option(names = "--history", paramLabel = "FILE",
            description = "The history file every batch is recorded in (default: $FANOUT_HISTORY, else ~/.fanout/history.db).")
    public Path history;

    @Option(names = "--no-history", description = "Do not record this batch in the history (it cannot be resumed then).")
    public boolean noHistory;

    @Option(names = "--report", paramLabel = "FILE", description = "At the end, write the batch's HTML report (timeline, durations, failures) to FILE.")
    public Path report;

    @Option(names = "--secrets", paramLabel = "REGEX",
            description = "Parameters whose name matches REGEX are secrets: masked in the history, logs, --json output and reports"
                    + " (default: ${DEFAULT-VALUE}).", defaultValue = Redaction.DEFAULT_PATTERN)
    public String secrets;

    /** The secret-name pattern, checked. */
    public Redaction redaction() {
        try {
            return Redaction.of(secrets);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--secrets: " + e.getMessage());
        }
    }

    /** Checks what does not need a file or Spark; a usage error names the option. */
    public void validate() {
        order();
        if (retries < 0) {
            throw new BadInputException("--retries must be 0 or more, got " + retries);
        }
        redaction();
    }

    /** For a resume: the batch's recorded timeout, retries and secrets, unless given again on the command line. */
    public void over(BatchSpec recorded, ParseResult given) {
        if (!given.hasMatchedOption("--timeout")) {
            timeout = recorded.timeout();
        }
        if (!given.hasMatchedOption("--retries")) {
            retries = recorded.retries();
        }
        if (!given.hasMatchedOption("--secrets") && recorded.secrets() != null) {
            secrets = recorded.secrets();
        }
    }

    /** Parses --timeout with fanout's duration format, so the error quotes the value. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                Duration d = DurationFormat.parse(value);
                if (d.isZero()) {
                    throw new TypeConversionException("'" + value + "' is zero; give a positive duration such as 90s");
                }
                return d;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
