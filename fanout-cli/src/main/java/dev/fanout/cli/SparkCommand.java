package dev.fanout.cli;

import dev.fanout.SparkJob;
import dev.fanout.BadInputException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A command that runs a batch on Spark: the shared options, and bad input turned into a usage error (exit 2). */
abstract class SparkCommand implements Callable<Integer> {
    @ParentCommand
    FanoutCommand parent;

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Mixin
    SparkOptions spark;

    @Override
    public final Integer call() {
        try {
            return execute();
        } catch (BadInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Validates the input (throwing {@link BadInputException}) before anything starts, then runs. */
    abstract int execute();

    /** The JOB class, loaded from the classpath or {@code --jars}, and the loader that found it. */
    record LoadedJob(SparkJob job, ClassLoader loader) {}

    LoadedJob load(String jobClass) {
        ClassLoader loader = JobLoader.classLoader(spark.jars);
        return new LoadedJob(JobLoader.load(jobClass, loader, spark.jars), loader);
    }
}
