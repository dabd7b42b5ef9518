package dev.fanout.cli.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.BadInputException;
import dev.fanout.BatchResult;
import dev.fanout.ErrorInfo;
import dev.fanout.FailurePolicy;
import dev.fanout.Fanout;
import dev.fanout.FanoutListener;
import dev.fanout.Jobs;
import dev.fanout.Outcome;
import dev.fanout.Parallelism;
import dev.fanout.Redaction;
import dev.fanout.RunResult;
import dev.fanout.cli.Environment;
import dev.fanout.cli.console.WorkflowProgress;
import dev.fanout.cli.console.WorkflowText;
import dev.fanout.report.Reports;
import dev.fanout.workflow.TaskResult;
import dev.fanout.workflow.Workflow;
import dev.fanout.workflow.WorkflowListener;
import dev.fanout.workflow.WorkflowResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * What {@code workflow run} and {@code resume} of a workflow run share once the file and options are checked: start
 * Spark on the {@link BatchLauncher}, run the workflow on the library's {@link Fanout} with a line per task and a live
 * line, Ctrl-C trapped, then the table of tasks, the history hints, the report, the {@code --json} document and the
 * exit code ({@link WorkflowResult#exitCode()}).
 */
final class WorkflowRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WorkflowRunner() {}

    /** The loader of {@code --jars}, a usage error naming the option. */
    static ClassLoader loader(List<Path> jars) {
        try {
            return Jobs.classLoader(jars);
        } catch (BadInputException e) {
            throw new BadInputException("--jars " + e.getMessage());
        }
    }

    /**
     * Runs {@code what} (a run or a resume of {@code workflow}) on the launcher's Spark, started here.
     *
     * @param params the workflow's params as it runs with them (to mask secret values in what is printed)
     */
    static int run(BatchLauncher launcher, Workflow workflow, Map<String, String> params, Parallelism parallelism,
                   Duration executorWait, ClassLoader loader, BiFunction<Fanout, WorkflowListener, WorkflowResult> what) {
        Environment env = launcher.env();
        launcher.start(parallelism.max(), loader, "workflow " + workflow.name(), Map.of());
        FanoutListener sized = launcher.sizing(parallelism, executorWait);
        WorkflowProgress progress = new WorkflowProgress(env.err(), env.stderrIsTerminal(), workflow.name(),
                workflow.tasks().size(), Duration.ofSeconds(5), launcher.redaction());
        WorkflowResult result;
        try (Fanout fanout = launcher.fanout(parallelism, FailurePolicy.CONTINUE, progress, sized)) {
            result = launcher.execute(fanout, progress, () -> what.apply(fanout, progress));
            WorkflowResult shown = shown(result, launcher.redaction(), params);
            WorkflowText.summary(shown, env.err());
            if (launcher.store() != null) {
                String id = result.runId();
                env.err().printf("history: workflow run %s in %s (fanout history %s; fanout report %s -o report.html)%s%n", id,
                        launcher.store().location(), id, id,
                        result.succeeded() ? "" : "; run what did not succeed again with: fanout resume " + id);
                if (launcher.options().report != null) {
                    BatchLauncher.writeReport(env, launcher.store(), id, launcher.options().report);
                }
            }
            if (launcher.options().json) {
                env.out().println(json(shown, workflow.path()));
            }
        }
        return result.exitCode();
    }

    /** The result as it may be shown: secret params masked, secret values masked in values and errors. */
    static WorkflowResult shown(WorkflowResult r, Redaction redaction, Map<String, String> params) {
        Map<String, TaskResult> tasks = new LinkedHashMap<>();
        r.tasks().forEach((k, t) -> tasks.put(k, new TaskResult(t.key(), t.outcome(), redaction.scrub(t.value(), params),
                t.batchId(), t.iterations().stream().map(redaction::run).toList(), t.startedAt(), t.endedAt(), t.kept(),
                redaction.error(t.error(), params))));
        return new WorkflowResult(r.runId(), r.name(), r.params(), tasks, r.startedAt(), r.endedAt(), r.interrupted());
    }

    /**
     * The {@code --json} document of a workflow run: its id, name, file, params, times, exit code, tasks by outcome,
     * and each task with its outcome, value, task batch, error and its iterations as {@code --json} writes runs.
     */
    static String json(WorkflowResult r, Path file) {
        ObjectNode root = JSON.createObjectNode();
        root.put("runId", r.runId());
        root.put("workflow", r.name());
        root.put("file", file == null ? null : file.toAbsolutePath().toString());
        ObjectNode params = root.putObject("params");
        r.params().forEach(params::put);
        root.put("startedAt", r.startedAt() == null ? null : r.startedAt().toString());
        root.put("endedAt", r.endedAt() == null ? null : r.endedAt().toString());
        root.put("interrupted", r.interrupted());
        root.put("exitCode", r.exitCode());
        ObjectNode counts = root.putObject("counts");
        for (Outcome o : Outcome.values()) {
            counts.put(o.name(), r.tasks().values().stream().filter(t -> t.outcome() == o).count());
        }
        var tasks = root.putArray("tasks");
        for (TaskResult t : r.tasks().values()) {
            ObjectNode n = tasks.addObject();
            n.put("key", t.key());
            n.put("outcome", t.outcome().name());
            n.put("value", t.value());
            n.put("batchId", t.batchId());
            n.put("kept", t.kept());
            n.put("startedAt", t.startedAt() == null ? null : t.startedAt().toString());
            n.put("endedAt", t.endedAt() == null ? null : t.endedAt().toString());
            ErrorInfo e = t.error();
            if (e == null) {
                n.putNull("error");
            } else {
                n.putObject("error").put("type", e.type()).put("message", e.message());
            }
            JsonNode iterations = runs(t);
            n.set("counts", iterations.get("counts"));
            n.set("iterations", iterations.get("runs"));
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the workflow's JSON", e);
        }
    }

    /** A task's iterations through the library's one mapping of runs to JSON ({@link Reports#json(BatchResult)}). */
    private static JsonNode runs(TaskResult t) {
        Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
        t.iterations().forEach(r -> counts.merge(r.outcome(), 1L, Long::sum));
        List<RunResult> runs = t.iterations();
        try {
            return JSON.readTree(Reports.json(new BatchResult(t.batchId() == null ? "" : t.batchId(), t.key(), 0,
                    t.startedAt(), t.endedAt(), counts, runs, false)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read the runs' JSON", e);
        }
    }
}
