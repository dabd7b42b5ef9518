package dev.fanout.cli;

import dev.fanout.Items;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run JOB once with the given parameters; its exit value is printed on stdout."},
        footer = {"", "Example:", "  fanout run com.example.DailyMetrics -p day=2024-01-01 --timeout 10m",
                "", "Exit codes: 0 succeeded, 1 failed or timed out, 2 bad usage or input (nothing ran), 130 interrupted."})
final class RunCommand extends SparkCommand {
    @Parameters(index = "0", paramLabel = "JOB", description = "Class name of the job (implements dev.fanout.SparkJob).")
    String jobClass;

    @Override
    int execute() {
        LoadedJob loaded = load(jobClass);
        List<Map<String, String>> items = Items.withConstants(Items.of(List.of(Map.of()), "-p"), run.params, "-p").toList();
        var options = BatchExecution.options("run", jobClass, spark, run, Sizing.fixed(1), false, "-p", Map.of());
        try (Recording recording = Recording.open(parent.env, run)) {
            return BatchExecution.run(parent.env, spark, run, Sizing.fixed(1), false, loaded.job(), loaded.loader(),
                    BatchExecution.BatchSpec.fresh(items, options), recording, 1);
        }
    }
}
