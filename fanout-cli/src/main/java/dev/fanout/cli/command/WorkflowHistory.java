package dev.fanout.cli.command;

import dev.fanout.DurationFormat;
import dev.fanout.RunResult;
import dev.fanout.cli.console.WorkflowText;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import dev.fanout.report.Reports;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code fanout history RUN_ID} of a workflow run: its tasks in the file's order (the run's items), each with how it
 * ended, its iterations by state (from its task batch, the latest one when a resume re-created it), attempts, time,
 * value or error, and under a task with several iterations those that did not succeed. The JSON is the history's
 * document of the run ({@link Reports#history(BatchRecord, List)}) with {@code tasks} in place of {@code runs}, each
 * task with its key, task batch and its iterations as the history writes runs.
 */
record WorkflowHistory(BatchRecord run, List<Task> tasks) {
    private static final int SHOWN_PER_TASK = 20;

    /** A task of the run: its record in the run, its latest task batch (null when it never ran) and its iterations. */
    record Task(String key, ItemRecord item, BatchRecord batch, List<ItemRecord> iterations) {}

    static WorkflowHistory of(HistoryStore store, BatchRecord run, List<ItemRecord> items) {
        Map<String, BatchRecord> batches = new LinkedHashMap<>();
        store.taskBatches(run.id()).forEach(b -> batches.put(b.task(), b)); // oldest first: the latest wins
        List<Task> tasks = new ArrayList<>();
        for (ItemRecord i : items) {
            String key = i.params().get("task");
            BatchRecord b = batches.get(key);
            tasks.add(new Task(key, i, b, b == null ? List.of() : store.items(b.id())));
        }
        return new WorkflowHistory(run, tasks);
    }

    /** A task's iterations by state, or "-" without iterations. */
    private static String tally(Task t) {
        return t.iterations().isEmpty() ? "-" : WorkflowText.tally(t.iterations().stream().map(i -> i.state().name()).toList());
    }

    String text() {
        BatchRecord b = run;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("workflow run %s: workflow %s, %s, %d tasks: %d succeeded%s%n", b.id(), b.job(), b.state(),
                b.itemCount(), b.count(ItemState.SUCCEEDED), HistoryCommand.others(b).equals("-") ? "" : ", " + HistoryCommand.others(b)));
        sb.append("file: ").append(b.spec().job()).append('\n');
        sb.append("params: ").append(b.spec().params().isEmpty() ? "none" : Reports.params(b.spec().params())).append('\n');
        HistoryCommand.executions(b, sb);
        int w = Math.max(4, tasks.stream().mapToInt(t -> t.key().length()).max().orElse(4));
        // every column as wide as its widest cell, so none runs into the next
        int tw = Math.max(10, tasks.stream().mapToInt(t -> tally(t).length()).max().orElse(10));
        String row = "  %-" + w + "s  %-10s  %-" + tw + "s  %4s  %8s  %s%n";
        sb.append(String.format(row, "TASK", "STATE", "ITERATIONS", "TRY", "TIME", "VALUE / ERROR"));
        for (Task t : tasks) {
            RunResult r = t.item().run();
            ItemRecord problem = t.item().state() == ItemState.SUCCEEDED ? null
                    : t.iterations().stream().filter(i -> i.state() != ItemState.SUCCEEDED).findFirst().orElse(null);
            String detail = r == null ? "" : r.error() != null ? WorkflowText.error(r.error())
                    : problem != null ? "iteration " + problem.index() + " " + problem.state()
                            + (problem.run() == null || problem.run().error() == null ? "" : ": " + WorkflowText.error(problem.run().error()))
                    : r.exitValue() == null ? "" : "-> " + WorkflowText.abbreviate(r.exitValue(), 80);
            sb.append(String.format(row, t.key(), t.item().state(),
                    tally(t),
                    t.iterations().isEmpty() ? "-" : Integer.toString(t.iterations().stream()
                            .mapToInt(i -> i.run() == null ? 0 : i.run().attempts().size()).sum()),
                    r == null || r.startedAt() == null || r.endedAt() == null ? "-" : DurationFormat.format(r.duration()), detail));
            if (t.batch() != null && t.iterations().size() > 1) {
                String pad = " ".repeat(w + 4);
                List<ItemRecord> problems = t.iterations().stream().filter(i -> i.state() != ItemState.SUCCEEDED).toList();
                sb.append(pad).append("batch ").append(t.batch().id()).append(": ")
                        .append(t.iterations().size() - problems.size()).append(" iterations succeeded")
                        .append(problems.isEmpty() ? "" : "; did not:").append('\n');
                for (ItemRecord i : problems.subList(0, Math.min(problems.size(), SHOWN_PER_TASK))) {
                    RunResult ir = i.run();
                    sb.append(pad).append(String.format("  #%d %s", i.index(), i.state()))
                            .append(ir == null ? "" : ", " + ir.attempts().size() + " tr" + (ir.attempts().size() == 1 ? "y" : "ies")
                                    + (ir.startedAt() == null ? "" : " in " + DurationFormat.format(ir.duration())))
                            .append("  ").append(Reports.params(i.params()))
                            .append(ir == null || ir.error() == null ? "" : "  " + WorkflowText.error(ir.error())).append('\n');
                }
                if (problems.size() > SHOWN_PER_TASK) {
                    sb.append(pad).append("  ... and ").append(problems.size() - SHOWN_PER_TASK).append(" more (fanout history ")
                            .append(t.batch().id()).append(" --state failed)\n");
                }
            } else if (t.batch() != null && !t.batch().id().equals(b.id() + "." + t.key())) {
                sb.append(" ".repeat(w + 4)).append("batch ").append(t.batch().id()).append('\n');
            }
        }
        return sb.toString().stripTrailing();
    }

}
