package dev.fanout.cli.command;

import dev.fanout.BadInputException;
import dev.fanout.Items;
import dev.fanout.Parallelism;
import dev.fanout.cli.ExitCode;
import dev.fanout.cli.option.SizingOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "foreach", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run JOB once per item, several at a time, on one Spark application.",
                "Items come from a file (CSV with a header row, JSON Lines, or a JSON array of objects) or a range."
                        + " Every item is read and checked before the first run starts."},
        footer = {"", "Examples:",
                "  fanout foreach com.example.DailyMetrics --range day=2024-01-01..2024-03-31 --parallelism 8",
                "  fanout foreach com.example.LoadTable --items tables.csv -p env=prod --timeout 20m --retries 2 --json"},
        exitCodeListHeading = ExitCode.LIST_HEADING,
        exitCodeList = {ExitCode.LIST_OK, "1:some run failed or timed out", ExitCode.LIST_USAGE, ExitCode.LIST_INTERRUPTED})
public final class ForeachCommand extends SparkCommand {
    @Parameters(index = "0", paramLabel = "JOB", description = SparkCommand.JOB_DESCRIPTION)
    String jobClass;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--items", paramLabel = "FILE", description = "The items: .csv (header row), .jsonl (JSON Lines) or .json (an array of objects).")
        Path items;

        @Option(names = "--range", paramLabel = "NAME=FROM..TO[:STEP]",
                description = "Inclusive range of ISO dates (STEP in days) or integers, e.g. day=2024-01-01..2024-01-31.")
        String range;

        @Option(names = "--resume", paramLabel = "BATCH_ID",
                description = "Run again the items of a recorded batch that did not succeed (as 'fanout resume BATCH_ID').")
        String resume;
    }

    @Option(names = "--format", paramLabel = "csv|jsonl|json", description = "The format of --items when its extension does not say: csv, jsonl (JSON Lines) or json (an array).")
    String format;

    @Mixin
    SizingOptions sizing;

    @Option(names = "--fail-fast", description = "Stop at the first failure: cancel the runs in flight, skip the rest.")
    boolean failFast;

    @Override
    int execute() {
        if (source.resume != null) {
            if (format != null) {
                throw new BadInputException("--format applies to --items, not to --resume");
            }
            return ResumeCommand.resume(env(), spec, spark, run, source.resume, sizing, failFast, jobClass);
        }
        Parallelism parallelism = sizing.parallelism(spark.master);
        LoadedJob loaded = load(jobClass);
        Items items;
        if (source.items != null) {
            items = format != null ? Items.file(source.items, format) : Items.file(source.items);
        } else {
            if (format != null) {
                throw new BadInputException("--format applies to --items, not to --range");
            }
            items = Items.parseRange(source.range);
        }
        items = Items.withConstants(items, run.params, "-p");
        long count = items.toList().size(); // every item read and checked before anything starts
        try (BatchLauncher launcher = new BatchLauncher(env(), "foreach", spark, run)) {
            return run(launcher, loaded, parallelism, failFast, sizing.executorWait(), items, count, 0);
        }
    }

    /** Starts Spark and runs {@code items} as a new batch (also {@code run} and {@code demo}). */
    static int run(BatchLauncher launcher, LoadedJob loaded, Parallelism parallelism, boolean failFast, Duration executorWait,
                   Items items, long count, int exitValuesToPrint) {
        launcher.start(parallelism.max(), loaded.loader(), loaded.job().name(), Map.of());
        return runOn(launcher, loaded, parallelism, failFast, executorWait, items, count, exitValuesToPrint);
    }

    /** Runs {@code items} on the launcher's Spark, started already. */
    static int runOn(BatchLauncher launcher, LoadedJob loaded, Parallelism parallelism, boolean failFast, Duration executorWait,
                     Items items, long count, int exitValuesToPrint) {
        return launcher.runBatch(parallelism, failFast, executorWait, loaded.job().name(), count, exitValuesToPrint,
                fanout -> fanout.forEach(loaded.job(), items));
    }
}
