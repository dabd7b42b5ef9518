package dev.fanout.cli.command;

import dev.fanout.BadInputException;
import dev.fanout.BatchResult;
import dev.fanout.FailurePolicy;
import dev.fanout.Jobs;
import dev.fanout.Parallelism;
import dev.fanout.cli.Environment;
import dev.fanout.cli.ExitCode;
import dev.fanout.cli.option.RunOptions;
import dev.fanout.cli.option.SizingOptions;
import dev.fanout.cli.option.SparkOptions;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ResumePlan;
import dev.fanout.report.Reports;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.ItemState;
import dev.fanout.workflow.Workflow;
import dev.fanout.workflow.WorkflowResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "resume", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run again the items of a recorded batch that did not succeed.",
                "Those are the items that failed, timed out, were cancelled or skipped, or were never reached because the"
                        + " driver was killed. It is a new execution of the same batch; each item keeps its index. The batch's"
                        + " options (job, jars, master, conf, parallelism, timeout, retries, -p) apply unless given again here."
                        + " Secret parameters are not recorded: give them again with -p."},
        footer = {"", "Examples:", "  fanout resume 20261122-143012-3fa9", "  fanout resume 20261122-143012-3fa9 --parallelism 8 --timeout 30m"},
        exitCodeListHeading = ExitCode.LIST_HEADING,
        exitCodeList = {"0:every resumed run succeeded, or there was nothing to resume", "1:some run failed or timed out",
                "2:bad usage or input (an unknown batch, a batch still running elsewhere): nothing was started", ExitCode.LIST_INTERRUPTED})
public final class ResumeCommand extends SparkCommand {
    @Parameters(index = "0", paramLabel = "BATCH_ID", description = "The batch, as 'fanout history' lists it.")
    String batchId;

    @Mixin
    SizingOptions sizing;

    @Option(names = "--fail-fast", description = "Stop at the first failure: cancel the runs in flight, skip the rest (default: the batch's value).")
    boolean failFast;

    @Override
    int execute() {
        return resume(env(), spec, spark, run, batchId, sizing, failFast, null);
    }

    /**
     * Resumes a recorded batch with the options it was started with, unless given again on the command line
     * ({@code jobGiven}: the JOB of {@code foreach JOB --resume ID}, which must be the batch's).
     */
    static int resume(Environment env, CommandSpec spec, SparkOptions spark, RunOptions run, String batchId,
                      SizingOptions sizing, boolean failFastGiven, String jobGiven) {
        if (run.noHistory) {
            throw new BadInputException("--resume needs the history; it cannot be used with --no-history");
        }
        HistoryStore store = BatchLauncher.openHistory(env, run);
        BatchLauncher launcher = null;
        try {
            ParseResult given = spec.commandLine().getParseResult();
            BatchRecord batch = store.require(batchId);
            if (batch.isTask()) {
                throw new BadInputException("batch " + batchId + " runs task '" + batch.task() + "' of workflow run "
                        + batch.workflow() + "; resume the workflow run: fanout resume " + batch.workflow());
            }
            if (batch.isWorkflow()) {
                if (jobGiven != null) {
                    throw new BadInputException(batchId + " is a workflow run, not a batch of " + jobGiven
                            + "; resume it with: fanout resume " + batchId);
                }
                WorkflowResume w = WorkflowResume.prepare(env, spec, spark, run, batch, sizing);
                if (w == null) {
                    return ExitCode.OK; // nothing to resume
                }
                launcher = new BatchLauncher(env, "resume", spark, run, store);
                return w.run(launcher, sizing);
            }
            BatchSpec recorded = batch.latest().spec() != null ? batch.latest().spec() : batch.spec();
            if (jobGiven != null && !(Jobs.isSqlFile(jobGiven)
                    ? java.nio.file.Path.of(jobGiven).toAbsolutePath().normalize().toString() : jobGiven).equals(recorded.job())) {
                throw new BadInputException("batch " + batchId + " ran job " + recorded.job() + ", not " + jobGiven);
            }
            run.over(recorded, given);
            ResumePlan plan = ResumePlan.of(store, batchId, null, run.params, run.redaction()); // still running? secrets given?
            spark.over(recorded.launch(), batchId, given);
            Parallelism parallelism = sizing.over(recorded.parallelism(), given, spark.master);
            boolean failFast = failFastGiven || recorded.failurePolicy() == FailurePolicy.FAIL_FAST;
            if (plan.items().isEmpty()) {
                env.err().printf("fanout: batch %s: all %d items succeeded; nothing to resume%n", batchId, batch.itemCount());
                if (run.json) {
                    Instant now = Instant.now();
                    env.out().println(Reports.json(new BatchResult(batchId, recorded.job(), 0, now, now, Map.of(), List.of(), false)));
                }
                return ExitCode.OK;
            }
            LoadedJob loaded = SparkCommand.load(recorded.job(), spark);
            String hash = Jobs.sourceHash(loaded.job()).orElse(null);
            if (hash != null && recorded.jobHash() != null && !hash.equals(recorded.jobHash())) {
                env.err().printf("fanout: warning: %s changed since batch %s ran (sha256 %s, now %s); resuming with the"
                        + " file as it is now%n", recorded.job(), batchId, recorded.jobHash().substring(0, 12), hash.substring(0, 12));
            }
            launcher = new BatchLauncher(env, "resume", spark, run, store);
            env.err().printf("fanout: resuming batch %s (%s): %d of %d items did not succeed (%s); execution %d%n", batchId,
                    batch.job(), plan.items().size(), batch.itemCount(), HistoryCommand.others(batch), batch.executions().size() + 1);
            launcher.start(parallelism.max(), loaded.loader(), loaded.job().name(), Map.of());
            return launcher.runBatch(parallelism, failFast, sizing.executorWait(), loaded.job().name(), plan.items().size(), 0,
                    fanout -> fanout.resume(loaded.job(), batchId, run.params));
        } finally {
            if (launcher != null) {
                launcher.close(); // stops Spark, closes the history
            } else {
                store.close();
            }
        }
    }

    /**
     * A resume of a recorded workflow run, checked: the workflow file read again from where the run recorded it, the
     * run's Spark settings, parallelism, timeout and retries unless given again, its params with {@code -p} on top; the
     * library runs what did not succeed and what depends on it ({@link dev.fanout.Fanout#resume(Workflow, String, Map)}).
     */
    private record WorkflowResume(String id, Workflow workflow, Path file, Map<String, String> overrides,
                                  Map<String, String> params, Parallelism parallelism, ClassLoader loader) {
        /** Checks everything that needs no Spark; null (said on stderr) when every task succeeded already. */
        static WorkflowResume prepare(Environment env, CommandSpec spec, SparkOptions spark, RunOptions run, BatchRecord batch,
                                      SizingOptions sizing) {
            String id = batch.id();
            ParseResult given = spec.commandLine().getParseResult();
            BatchSpec recorded = batch.latest().spec() != null ? batch.latest().spec() : batch.spec();
            Path file = Path.of(recorded.job());
            if (!Files.isRegularFile(file)) {
                throw new BadInputException("workflow run " + id + " ran the workflow file " + file + ", which is gone;"
                        + " put it back to resume the run (or start a new run: fanout workflow run FILE)");
            }
            Workflow wf = Workflow.read(file);
            Workflow withGiven = wf.withParams(run.params); // a -p the file does not declare: refused here
            run.over(recorded, given);
            spark.over(recorded.launch(), id, given);
            Parallelism parallelism = sizing.over(recorded.parallelism(), given, spark.master);
            ClassLoader loader = WorkflowRunner.loader(spark.jars);
            wf.loadJobs(loader);
            if (batch.state() == ExecutionState.SUCCEEDED) {
                env.err().printf("fanout: workflow run %s: all %d tasks succeeded; nothing to resume%n", id, batch.itemCount());
                if (run.json) {
                    Instant now = Instant.now();
                    env.out().println(WorkflowRunner.json(new WorkflowResult(id, wf.name(), Map.of(), Map.of(), now, now, false), file));
                }
                return null;
            }
            env.err().printf("fanout: resuming workflow run %s (%s, %s): %d of %d tasks did not succeed (%s); execution %d%n", id,
                    wf.name(), file, batch.itemCount() - batch.count(ItemState.SUCCEEDED), batch.itemCount(),
                    HistoryCommand.others(batch), batch.executions().size() + 1);
            return new WorkflowResume(id, wf, file, run.params, withGiven.params(), parallelism, loader);
        }

        int run(BatchLauncher launcher, SizingOptions sizing) {
            return WorkflowRunner.run(launcher, workflow, params, parallelism, sizing.executorWait(), loader,
                    (fanout, listener) -> fanout.resume(workflow.withParallelism(parallelism), id, overrides, loader, listener));
        }
    }
}
