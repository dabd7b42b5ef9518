package dev.fanout.cli;

import dev.fanout.cli.items.BadInputException;
import dev.fanout.cli.items.RangeSpec;
import dev.fanout.cli.sample.SampleDailyJob;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Show fanout at work on the embedded local Spark: a built-in one-day job",
                "(synthetic bookings for one day, aggregated by hour) recomputed for many days in parallel."})
final class DemoCommand extends SparkCommand {
    @Option(names = "--from", paramLabel = "DATE", defaultValue = "2024-01-01", description = "First day (default: ${DEFAULT-VALUE}).")
    LocalDate from;

    @Option(names = "--days", paramLabel = "N", defaultValue = "60", description = "How many days (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--parallelism", paramLabel = "N", description = "Runs in flight at once (default: the cores of a local master).")
    Integer parallelism;

    @Override
    int execute() {
        if (days < 1) {
            throw new BadInputException("--days must be at least 1, got " + days);
        }
        int slots = FanoutCommand.parallelism(parallelism, spark.master);
        List<Map<String, String>> items = RangeSpec.parse("day=" + from + ".." + from.plusDays(days - 1L));
        items = BatchExecution.withConstants(items, java.util.Set.of("day"), run.params, "the demo's days");
        parent.env.err().printf("fanout demo: %s for %d days from %s, parallelism %d, on %s%n",
                SampleDailyJob.class.getSimpleName(), days, from, slots, spark.master);
        return BatchExecution.run(parent.env, spark, run, slots, false, new SampleDailyJob(),
                DemoCommand.class.getClassLoader(), items, 5);
    }
}
