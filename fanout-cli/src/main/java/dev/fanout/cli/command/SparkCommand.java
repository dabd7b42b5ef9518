package dev.fanout.cli.command;

import dev.fanout.BadInputException;
import dev.fanout.Jobs;
import dev.fanout.SparkJob;
import dev.fanout.cli.Environment;
import dev.fanout.cli.FanoutCommand;
import dev.fanout.cli.option.RunOptions;
import dev.fanout.cli.option.SparkOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that runs a batch on Spark: the shared options, and bad input turned into a usage error (exit 2). */
abstract class SparkCommand implements Callable<Integer> {
    /** The JOB parameter's description in every command that takes one. */
    static final String JOB_DESCRIPTION = "The job: a class implementing dev.fanout.SparkJob (on the classpath or in --jars),"
            + " or a .sql file (see docs/sql.md).";

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

    /** The {@code fanout} command's environment (also for a command nested under another, as {@code workflow run}). */
    Environment env() {
        return ((FanoutCommand) spec.root().userObject()).env();
    }

    /** The JOB, loaded from the classpath or {@code --jars}, and the loader that found it. */
    record LoadedJob(SparkJob job, ClassLoader loader) {}

    LoadedJob load(String jobClass) {
        return load(jobClass, spark);
    }

    /** Loads {@code jobClass} through {@link Jobs}, saying where a jar or a class was expected: {@code --jars}. */
    static LoadedJob load(String jobClass, SparkOptions spark) {
        ClassLoader loader;
        try {
            loader = Jobs.classLoader(spark.jars);
        } catch (BadInputException e) {
            throw new BadInputException("--jars: " + e.getMessage());
        }
        try {
            return new LoadedJob(Jobs.load(jobClass, loader), loader);
        } catch (BadInputException e) {
            if (!Jobs.isSqlFile(jobClass) && spark.jars.isEmpty() && loader.getResource(jobClass.replace('.', '/') + ".class") == null) {
                throw new BadInputException(e.getMessage() + "; give the jar that holds it with --jars");
            }
            throw e;
        }
    }
}
