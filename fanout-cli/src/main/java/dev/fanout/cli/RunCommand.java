package dev.fanout.cli;

import dev.fanout.SparkJob;
import dev.fanout.cli.items.BadInputException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run JOB once with the given parameters; its exit value is printed on stdout."},
        footer = {"", "Example:", "  fanout run com.example.DailyMetrics -p day=2024-01-01 --timeout 10m",
                "", "Exit codes: 0 succeeded, 1 failed or timed out, 2 bad usage or input (nothing ran), 130 interrupted."})
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    FanoutCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", description = "Class name of the job (implements dev.fanout.SparkJob).")
    String jobClass;

    @Mixin
    RunOptions run;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        try {
            ClassLoader loader = JobLoader.classLoader(spark.jars);
            SparkJob job = JobLoader.load(jobClass, loader, spark.jars);
            List<Map<String, String>> items = BatchExecution.withConstants(List.of(Map.of()), Set.of(), run.params, "-p");
            return BatchExecution.run(parent.env, spark, run, 1, false, job, loader, items, 1);
        } catch (BadInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
