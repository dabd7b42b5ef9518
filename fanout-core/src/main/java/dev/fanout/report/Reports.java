package dev.fanout.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.BatchResult;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What fanout shows of a batch: the {@code --json} document, the summary for people, the history's JSON and the HTML
 * report. Every one writes a run with the same field names (index, params, outcome, exitValue, attempts, startedAt,
 * endedAt, error, attemptDetails; the history and the HTML add slot and metrics).
 *
 * <pre>{@code
 * BatchResult shown = redaction.batch(result);              // the reports print what they are given
 * Reports.summary(shown, System.err, null);
 * System.out.println(Reports.json(shown));
 * Reports.html(store, result.batchId(), Path.of("report.html"));
 * }</pre>
 */
public final class Reports {
    private Reports() {}

    /**
     * The {@code --json} document of a batch (shape in DESIGN.md, plus {@code cost}: the batch's {@link dev.fanout.BatchCost}
     * or null, and each run's {@code slot} and {@code metrics}), indented. Pass a result whose secrets are
     * already masked ({@link dev.fanout.Redaction#batch}).
     */
    public static String json(BatchResult result) {
        return ReportJson.write(ReportJson.batch(result));
    }

    /**
     * Prints the summary for people: counts, wall time, where the time went (driver CPU vs executor CPU vs waiting for
     * cores, how busy the driver and the cluster were: {@link dev.fanout.BatchCost}), a hint when the batch was
     * driver-bound ({@link dev.fanout.BatchCost#driverBound()}), the slowest runs and the failures with their first
     * error line.
     *
     * @param parallelismNote how to describe the parallelism (e.g. "parallelism auto (4 at the end)"), or null for
     *                        the batch's number
     */
    public static void summary(BatchResult result, PrintStream out, String parallelismNote) {
        TextSummary.print(result, out, parallelismNote);
    }

    /**
     * Writes the HTML report of a recorded batch to {@code file} (atomically): per execution a timeline with a lane
     * per slot and a bar per run, runs in flight over time, cluster utilisation, run times, slowest runs and failures.
     * For a workflow run ({@link BatchRecord#isWorkflow()}): a Gantt of the workflow, one lane group per task in the
     * file's order with its iterations as bars on one time axis marking each execution (first run, resumes), skipped
     * tasks with why, tasks a resume kept, and the tasks' values and errors. A task's batch ({@code RUN.KEY}) renders
     * as any batch.
     *
     * @throws dev.fanout.BadInputException when the batch is not in {@code store}
     */
    public static void html(HistoryStore store, String batchId, Path file) throws IOException {
        HtmlReport.write(store, batchId, file);
    }

    /** The history's JSON list of batches: each with its state, items by state, executions and spec. */
    public static String history(List<BatchRecord> batches) {
        ArrayNode list = ReportJson.MAPPER.createArrayNode();
        batches.forEach(b -> list.add(ReportJson.batch(b)));
        return ReportJson.write(list);
    }

    /** The history's JSON document of one batch with {@code items} under {@code runs} (each its latest run, or PENDING). */
    public static String history(BatchRecord batch, List<ItemRecord> items) {
        return history(batch, items, Map.of());
    }

    /**
     * {@link #history(BatchRecord, List)}, and {@code leftOut}: the items not under {@code runs} because of a limit, by
     * state, every state with its count (as {@code counts}; all 0 when none was left out).
     */
    public static String history(BatchRecord batch, List<ItemRecord> items, Map<ItemState, Long> leftOut) {
        return history(batch, items, leftOut, null);
    }

    /**
     * {@link #history(BatchRecord, List, Map)}, and under each of {@code executions} its {@code parallelismChanges}
     * from {@code store} (every change of the limit while it ran: {@code from, to, reason, at}) when it is given.
     */
    public static String history(BatchRecord batch, List<ItemRecord> items, Map<ItemState, Long> leftOut, HistoryStore store) {
        ObjectNode root = ReportJson.batch(batch);
        if (store != null) {
            ReportJson.parallelismChanges(root, store, batch.id());
        }
        ObjectNode left = root.putObject("leftOut");
        for (ItemState s : ItemState.values()) {
            left.put(s.name(), leftOut.getOrDefault(s, 0L));
        }
        ArrayNode runs = root.putArray("runs");
        items.forEach(i -> runs.add(ReportJson.item(i)));
        return ReportJson.write(root);
    }

    /**
     * The history's JSON document of one item of a batch: {@code batchId, job, index, state} (its latest run's outcome,
     * or PENDING), {@code params} (of its latest run, secrets masked) and {@code runs}: every run of it, one per
     * execution that reached it, oldest first, each as in {@link #history(BatchRecord, List)} with its
     * {@code execution}, and every error, the run's and each attempt's, with its {@code stackTrace}.
     *
     * @param runs the item's runs ({@link HistoryStore#itemRuns})
     */
    public static String itemHistory(BatchRecord batch, int index, Map<String, String> params, List<ItemRecord> runs) {
        ObjectNode root = ReportJson.MAPPER.createObjectNode();
        root.put("batchId", batch.id());
        root.put("job", batch.job());
        root.put("index", index);
        root.put("state", runs.isEmpty() ? ItemState.PENDING.name() : runs.get(runs.size() - 1).state().name());
        ObjectNode p = root.putObject("params");
        params.forEach(p::put);
        ArrayNode list = root.putArray("runs");
        // one run per execution that reached the item: each keeps its execution, a run that never started too
        runs.forEach(i -> list.add(ReportJson.item(i, true).put("execution", i.execution())));
        return ReportJson.write(root);
    }

    /**
     * The history's JSON document of a workflow run: the fields of a batch in {@link #history(List)} (its
     * {@code items} are the tasks), {@code workflow} (the name), {@code params} (secrets masked as recorded), and
     * {@code tasks} in the file's order, each with {@code key, index, outcome} (an item state: PENDING when the run
     * never ended it), {@code value, batchId} (the batch of the iterations it ended with; null when skipped),
     * {@code error {type, message}, startedAt, endedAt, execution} (of the run that recorded it), {@code kept}
     * (a resume did not run it again), {@code batches} (every batch of it, oldest first) and {@code iterations} (the
     * items of its batch as in {@link #history(BatchRecord, List)}: each its latest run with attempts, or PENDING).
     *
     * @throws dev.fanout.BadInputException when {@code runId} is not in {@code store} or is not a workflow run
     */
    public static String workflowHistory(HistoryStore store, String runId) {
        return ReportJson.write(WorkflowReport.history(store, runId));
    }

    /** Parameters as one line for people: {@code day=2024-01-01 region=eu}. */
    public static String params(Map<String, String> params) {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    /** A class name without its package, as the summaries show an error's type. */
    public static String shortType(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }
}
