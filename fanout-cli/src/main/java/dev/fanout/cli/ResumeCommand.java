package dev.fanout.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "resume", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run again the items of a recorded batch that did not succeed: failed, timed out, cancelled, skipped,",
                "or never reached because the driver was killed. It is a new execution of the same batch; each item keeps",
                "its index. The batch's original options (job, jars, master, conf, parallelism, timeout, retries, -p) apply",
                "unless given again here. Secret parameters are not recorded: give them again with -p."},
        footer = {"", "Examples:", "  fanout resume 20261122-143012-3fa9", "  fanout resume 20261122-143012-3fa9 --parallelism 8 --timeout 30m",
                "", "Exit codes: 0 every resumed run succeeded (or nothing to resume), 1 some run failed or timed out,"
                        + " 2 bad usage (unknown batch, still running), 130 interrupted."})
final class ResumeCommand extends SparkCommand {
    @Parameters(index = "0", paramLabel = "BATCH_ID", description = "The batch, as 'fanout history' lists it.")
    String batchId;

    @picocli.CommandLine.Mixin
    Sizing sizing;

    @Option(names = "--fail-fast", description = "Stop at the first failure (default: the batch's).")
    boolean failFast;

    @Override
    int execute() {
        return Resumption.resume(parent.env, spec, spark, run, batchId, sizing, failFast, null);
    }
}
