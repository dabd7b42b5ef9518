package dev.fanout.cli.command;

import dev.fanout.Items;
import dev.fanout.Parallelism;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run JOB once with the given parameters; its exit value is printed on stdout."},
        footer = {"", "Example:", "  fanout run com.example.DailyMetrics -p day=2024-01-01 --timeout 10m",
                "", "Exit codes: 0 succeeded, 1 failed or timed out, 2 bad usage or input (nothing ran), 130 interrupted."})
public final class RunCommand extends SparkCommand {
    @Parameters(index = "0", paramLabel = "JOB", description = "Class name of the job (implements dev.fanout.SparkJob), or a .sql file (see docs/sql.md).")
    String jobClass;

    @Override
    int execute() {
        LoadedJob loaded = load(jobClass);
        Items items = Items.withConstants(Items.of(List.of(Map.of()), "-p"), run.params, "-p");
        try (BatchLauncher launcher = new BatchLauncher(env(), "run", spark, run)) {
            return ForeachCommand.run(launcher, loaded, Parallelism.fixed(1), false, Duration.ZERO, items, 1, 1);
        }
    }
}
