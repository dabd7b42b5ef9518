package dev.fanout.cli;

import dev.fanout.BadInputException;
import dev.fanout.Items;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "foreach", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run JOB once per item, several at a time, on one Spark application.",
                "Items come from a file (CSV with a header row, JSON Lines, or a JSON array of objects) or a range."
                        + " Every item is read and checked before the first run starts."},
        footer = {"", "Examples:",
                "  fanout foreach com.example.DailyMetrics --range day=2024-01-01..2024-03-31 --parallelism 8",
                "  fanout foreach com.example.LoadTable --items tables.csv -p env=prod --timeout 20m --retries 2 --json",
                "", "Exit codes: 0 all runs succeeded, 1 some run failed or timed out, 2 bad usage or input (nothing ran),"
                        + " 130 interrupted."})
final class ForeachCommand extends SparkCommand {
    @Parameters(index = "0", paramLabel = "JOB", description = "Class name of the job (implements dev.fanout.SparkJob).")
    String jobClass;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--items", paramLabel = "FILE", description = "Items file: .csv (header row), .jsonl or .json (array of objects).")
        Path items;

        @Option(names = "--range", paramLabel = "NAME=FROM..TO[:STEP]",
                description = "Inclusive range of ISO dates (STEP in days) or integers, e.g. day=2024-01-01..2024-01-31.")
        String range;

        @Option(names = "--resume", paramLabel = "BATCH_ID",
                description = "Run again the items of a recorded batch that did not succeed (as 'fanout resume BATCH_ID').")
        String resume;
    }

    @Option(names = "--format", paramLabel = "csv|jsonl|json", description = "Format of --items, when its extension does not say.")
    String format;

    @picocli.CommandLine.Mixin
    Sizing sizing;

    @Option(names = "--fail-fast", description = "Stop at the first failure: cancel the runs in flight, skip the rest.")
    boolean failFast;

    @Override
    int execute() {
        if (source.resume != null) {
            if (format != null) {
                throw new BadInputException("--format applies to --items, not to --resume");
            }
            return Resumption.resume(parent.env, spec, spark, run, source.resume, sizing, failFast, jobClass);
        }
        sizing.validate(spark.master);
        LoadedJob loaded = load(jobClass);
        Items given;
        if (source.items != null) {
            given = format != null ? Items.file(source.items, format) : Items.file(source.items);
        } else {
            if (format != null) {
                throw new BadInputException("--format applies to --items, not to --range");
            }
            given = Items.parseRange(source.range);
        }
        Items withParams = Items.withConstants(given, run.params, "-p");
        // Every item is read and checked here, before anything starts.
        List<Map<String, String>> items = withParams.toList();
        var options = BatchExecution.options("foreach", jobClass, spark, run, sizing, failFast, withParams.source(), Map.of());
        try (Recording recording = Recording.open(parent.env, run)) {
            return BatchExecution.run(parent.env, spark, run, sizing, failFast, loaded.job(), loaded.loader(),
                    BatchExecution.BatchSpec.fresh(items, options), recording, 0);
        }
    }
}
