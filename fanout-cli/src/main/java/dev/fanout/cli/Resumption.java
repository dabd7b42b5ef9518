package dev.fanout.cli;

import dev.fanout.DurationFormat;
import dev.fanout.Redaction;
import dev.fanout.SparkJob;
import dev.fanout.BadInputException;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.ItemRecord;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * Runs again the items of a recorded batch that did not succeed (failed, timed out, cancelled, skipped, or
 * never reached because the driver died), as a new execution of the same batch, under their original
 * indices. The batch's original options apply unless the command line gives an option again; a secret
 * that was masked in the history must be given again.
 */
final class Resumption {
    private Resumption() {}

    static int resume(Environment env, CommandSpec spec, SparkOptions spark, RunOptions run, String batchId,
                      Sizing sizing, boolean failFastGiven, String jobClassGiven) {
        Redaction redaction = run.redaction();
        try (Recording recording = Recording.open(env, run)) {
            if (!recording.enabled()) {
                throw new BadInputException("--resume needs the history; it cannot be used with --no-history");
            }
            BatchRecord batch = recording.store().require(batchId);
            var latest = batch.latest();
            if (latest.state() == ExecutionState.RUNNING) {
                throw new BadInputException("batch " + batchId + " is still running (execution " + latest.seq() + ", pid "
                        + latest.pid() + " on " + latest.host() + "); wait for it to end or stop it first");
            }
            StoredOptions stored = StoredOptions.of(batch.spec());
            if (jobClassGiven != null && !jobClassGiven.equals(stored.jobClass())) {
                throw new BadInputException("batch " + batchId + " ran job " + stored.jobClass() + ", not " + jobClassGiven);
            }
            ParseResult given = spec.commandLine().getParseResult();
            // The items to run again, with -p overriding (or adding) parameters.
            TreeMap<Integer, Map<String, String>> items = new TreeMap<>();
            for (ItemRecord item : recording.store().items(batchId)) {
                if (item.state().resumable()) {
                    Map<String, String> params = new LinkedHashMap<>(item.params());
                    params.putAll(run.params);
                    items.put(item.index(), params);
                }
            }
            if (items.isEmpty()) {
                env.err().printf("fanout: batch %s: all %d items succeeded; nothing to resume%n", batchId, batch.itemCount());
                return BatchExecution.EXIT_OK;
            }
            for (Map<String, String> params : items.values()) {
                params.forEach((k, v) -> {
                    if (Redaction.MASK.equals(v) && redaction.isSecret(k)) {
                        throw new BadInputException("parameter '" + k + "' of batch " + batchId
                                + " is a secret and was not recorded; give it again: -p " + k + "=VALUE");
                    }
                });
            }
            Map<String, String> conf = new LinkedHashMap<>(stored.conf());
            conf.putAll(spark.conf);
            conf.forEach((k, v) -> {
                if (Redaction.MASK.equals(v)) {
                    throw new BadInputException("Spark setting '" + k + "' of batch " + batchId
                            + " is a secret and was not recorded; give it again: --conf " + k + "=VALUE");
                }
            });
            // Effective options: the stored ones unless given again.
            spark.conf = conf;
            if (!given.hasMatchedOption("--master")) {
                spark.master = stored.master();
            }
            if (!given.hasMatchedOption("--jars")) {
                spark.jars = stored.jars().stream().map(Path::of).toList();
            }
            if (!given.hasMatchedOption("--timeout")) {
                run.timeout = stored.timeout() == null ? null : DurationFormat.parse(stored.timeout());
            }
            if (!given.hasMatchedOption("--retries")) {
                run.retries = stored.retries();
            }
            if (!given.hasMatchedOption("--parallelism")) {
                sizing.parallelism = stored.parallelism();
                if (sizing.auto()) {
                    sizing.coresPerRun = given.hasMatchedOption("--cores-per-run") ? sizing.coresPerRun : stored.coresPerRun();
                    sizing.executorsPerRun = given.hasMatchedOption("--executors-per-run") ? sizing.executorsPerRun
                            : stored.executorsPerRun();
                    sizing.maxParallelism = given.hasMatchedOption("--max-parallelism") ? sizing.maxParallelism
                            : stored.maxParallelism();
                }
            }
            sizing.validate(spark.master);
            boolean failFast = failFastGiven || stored.failFast();
            SparkCommand.LoadedJob loaded = SparkCommand.load(stored.jobClass(), spark);
            ClassLoader loader = loaded.loader();
            SparkJob job = loaded.job();
            StoredOptions effective = new StoredOptions("resume", stored.jobClass(), spark.jars.stream().map(Path::toString).toList(),
                    spark.master, conf, sizing.recorded(spark.master), sizing.coresPerRun, sizing.executorsPerRun,
                    sizing.maxParallelism, run.timeout == null ? null : DurationFormat.format(run.timeout), run.retries,
                    failFast, run.params, stored.itemsSource(), run.secrets);
            env.err().printf("fanout: resuming batch %s (%s): %d of %d items did not succeed (%s); execution %d%n", batchId,
                    batch.job(), items.size(), batch.itemCount(), HistoryCommand.others(batch), batch.executions().size() + 1);
            return BatchExecution.run(env, spark, run, sizing, failFast, job, loader,
                    new BatchExecution.BatchSpec(batchId, items, null, effective), recording, 0);
        }
    }
}
