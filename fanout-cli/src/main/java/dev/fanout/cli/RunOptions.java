package dev.fanout.cli;

import dev.fanout.DurationFormat;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** How each run is run: shared by {@code run}, {@code foreach} and {@code demo}. */
public final class RunOptions {
    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
            description = "A parameter passed to every run (repeatable).")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Per-attempt deadline (90s, 10m, 2h, 1h30m); the run's Spark jobs are cancelled when it passes.")
    Duration timeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "0",
            description = "Retries after a failed attempt, with exponential backoff and jitter (default: ${DEFAULT-VALUE})."
                    + " Bad parameters and timeouts are not retried.")
    int retries;

    @Option(names = "--json", description = "Print one JSON document with every run's outcome on stdout; everything else goes to stderr.")
    boolean json;

    @Option(names = "--history", paramLabel = "FILE",
            description = "The history file every batch is recorded in (default: $FANOUT_HISTORY, else ~/.fanout/history.db).")
    java.nio.file.Path history;

    @Option(names = "--no-history", description = "Do not record this batch in the history (it cannot be resumed then).")
    boolean noHistory;

    @Option(names = "--report", paramLabel = "FILE", description = "At the end, write the batch's HTML report (timeline, durations, failures) to FILE.")
    java.nio.file.Path report;

    @Option(names = "--secrets", paramLabel = "REGEX",
            description = "Parameters whose name matches REGEX are secrets: masked in the history, logs, --json output and reports"
                    + " (default: ${DEFAULT-VALUE}).", defaultValue = dev.fanout.Redaction.DEFAULT_PATTERN)
    String secrets;

    /** The secret-name pattern, checked. */
    dev.fanout.Redaction redaction() {
        try {
            return dev.fanout.Redaction.of(secrets);
        } catch (IllegalArgumentException e) {
            throw new dev.fanout.BadInputException("--secrets: " + e.getMessage());
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
