package dev.fanout.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.BadInputException;
import dev.fanout.RunResult;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.Execution;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the history knows of a workflow run, as JSON, read only from the history: the run's batch (its items are the
 * tasks in the file's order, each item's latest run says how the task ended: outcome, value as exit value, task batch
 * id as run id, error) and each task's batches ({@link HistoryStore#taskBatches}: its iterations, one execution per
 * run or resume that ran them).
 *
 * <p>A task's {@code batchId} is the batch whose iterations it ended with: null when it ended SKIPPED (the run id a
 * skipped task records, {@code RUN.KEY}, may name no batch, or one an earlier execution ran), else the run id of its
 * latest recorded run, or, when no run of it ended, its latest batch (a run killed while the task ran has iterations
 * but no task outcome yet). A task is {@code kept} when its
 * outcome is SUCCEEDED and was recorded by an execution before the run's latest one (a resume did not run it again).
 */
final class WorkflowReport {
    private WorkflowReport() {}

    /** A task of the run with everything the history has of it. */
    private record TaskData(ItemRecord item, String key, String batchId, List<BatchRecord> batches, boolean kept) {}

    private static BatchRecord requireRun(HistoryStore store, String runId) {
        BatchRecord run = store.require(runId);
        if (!run.isWorkflow()) {
            throw new BadInputException(runId + " is a batch of job " + run.job() + ", not a workflow run");
        }
        return run;
    }

    private static List<TaskData> tasks(HistoryStore store, BatchRecord run) {
        Map<String, List<BatchRecord>> byTask = new LinkedHashMap<>();
        Map<String, BatchRecord> byId = new LinkedHashMap<>();
        for (BatchRecord b : store.taskBatches(run.id())) {
            byTask.computeIfAbsent(b.task(), k -> new ArrayList<>()).add(b);
            byId.put(b.id(), b);
        }
        int latest = run.executions().isEmpty() ? 0 : run.latest().seq();
        List<TaskData> out = new ArrayList<>();
        for (ItemRecord item : store.items(run.id())) {
            String key = item.params().get("task");
            List<BatchRecord> batches = byTask.getOrDefault(key, List.of());
            String batchId = null;
            if (item.state() == ItemState.SKIPPED) {
                batchId = null; // it ended without iterations (a batch of an earlier execution is still in batches)
            } else if (item.run() != null && byId.containsKey(item.run().runId())) {
                batchId = item.run().runId();
            } else if (item.run() == null && !batches.isEmpty()) {
                batchId = batches.get(batches.size() - 1).id();
            }
            boolean kept = item.state() == ItemState.SUCCEEDED && item.execution() < latest;
            out.add(new TaskData(item, key, batchId, batches, kept));
        }
        return out;
    }

    /** How a task ended (from its item in the run's batch): the fields both documents share. */
    private static ObjectNode task(TaskData t) {
        ObjectNode n = ReportJson.MAPPER.createObjectNode();
        RunResult r = t.item().run();
        n.put("key", t.key());
        n.put("index", t.item().index());
        n.put("outcome", t.item().state().name());
        n.put("value", r == null ? null : r.exitValue());
        n.put("batchId", t.batchId());
        if (r == null || r.error() == null) {
            n.putNull("error");
        } else {
            n.putObject("error").put("type", r.error().type()).put("message", r.error().message());
        }
        n.put("startedAt", r == null ? null : time(r.startedAt()));
        n.put("endedAt", r == null ? null : time(r.endedAt()));
        n.put("execution", t.item().execution());
        n.put("kept", t.kept());
        ArrayNode ids = n.putArray("batches");
        t.batches().forEach(b -> ids.add(b.id()));
        return n;
    }

    /**
     * The history's JSON document of a workflow run: the run's batch fields ({@link ReportJson#batch(BatchRecord)}),
     * {@code workflow} (its name) and {@code params} (as recorded, secrets masked), then {@code tasks} in the file's
     * order, each with how it ended, {@code iterationCounts} (its iterations by state; empty without iterations) and
     * its {@code iterations} (the items of its batch, each its latest run, or PENDING).
     */
    static ObjectNode history(HistoryStore store, String runId) {
        BatchRecord run = requireRun(store, runId);
        ObjectNode root = ReportJson.batch(run);
        root.put("workflow", run.job());
        ObjectNode params = root.putObject("params");
        run.spec().params().forEach(params::put);
        ArrayNode tasks = root.putArray("tasks");
        for (TaskData t : tasks(store, run)) {
            ObjectNode n = task(t);
            ObjectNode counts = n.putObject("iterationCounts");
            ArrayNode iterations = n.putArray("iterations");
            if (t.batchId() != null) {
                java.util.Map<dev.fanout.history.ItemState, Integer> byState = new java.util.EnumMap<>(dev.fanout.history.ItemState.class);
                for (dev.fanout.history.ItemState s : dev.fanout.history.ItemState.values()) {
                    byState.put(s, 0);
                }
                store.items(t.batchId()).forEach(i -> {
                    iterations.add(ReportJson.item(i));
                    byState.merge(i.state(), 1, Integer::sum);
                });
                byState.forEach((s, c) -> counts.put(s.name(), c));
            }
            tasks.add(n);
        }
        return root;
    }

    /**
     * The data of the HTML report of a workflow run: {@code kind: "workflow"}, the run's batch under {@code run}, its
     * params, and each task with every batch of it and, per execution of that batch, every run it recorded (so a run
     * that a resume replaced is there too, at its time).
     */
    static ObjectNode data(HistoryStore store, String runId) {
        BatchRecord run = requireRun(store, runId);
        ObjectNode root = ReportJson.MAPPER.createObjectNode();
        root.put("kind", "workflow");
        root.put("id", run.id());
        root.set("run", ReportJson.batch(run));
        ObjectNode params = root.putObject("params");
        run.spec().params().forEach(params::put);
        ArrayNode tasks = root.putArray("tasks");
        for (TaskData t : tasks(store, run)) {
            ObjectNode n = task(t);
            ArrayNode batches = n.putArray("taskBatches");
            for (BatchRecord b : t.batches()) {
                ObjectNode bn = batches.addObject();
                bn.put("batchId", b.id());
                bn.put("items", b.itemCount());
                ArrayNode executions = bn.putArray("executions");
                for (Execution e : b.executions()) {
                    ObjectNode en = executions.addObject();
                    en.put("execution", e.seq());
                    en.put("state", e.state().name());
                    en.put("parallelism", e.parallelism());
                    en.put("startedAt", time(e.startedAt()));
                    en.put("endedAt", time(e.endedAt()));
                    ArrayNode runs = en.putArray("runs");
                    store.runs(b.id(), e.seq()).forEach(r -> runs.add(ReportJson.runWithCost(r)));
                }
            }
            tasks.add(n);
        }
        return root;
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
