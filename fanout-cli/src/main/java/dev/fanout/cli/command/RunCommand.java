package dev.fanout.cli.command;

import dev.fanout.Items;
import dev.fanout.Parallelism;
import dev.fanout.cli.ExitCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run JOB once with the given parameters and print its exit value on stdout.",
                "The run is recorded in the history as a batch of one item, so 'fanout resume' and 'fanout report' work on it too."},
        footer = {"", "Example:", "  fanout run com.example.DailyMetrics -p day=2024-01-01 --timeout 10m"},
        exitCodeListHeading = ExitCode.LIST_HEADING,
        exitCodeList = {"0:the run succeeded", "1:the run failed or timed out", ExitCode.LIST_USAGE,
                "130:interrupted (Ctrl-C, SIGTERM): the run was cancelled"})
public final class RunCommand extends SparkCommand {
    @Parameters(index = "0", paramLabel = "JOB", description = SparkCommand.JOB_DESCRIPTION)
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
