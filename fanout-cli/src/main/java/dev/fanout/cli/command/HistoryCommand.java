package dev.fanout.cli.command;

import dev.fanout.cli.FanoutCommand;

import dev.fanout.BadInputException;
import dev.fanout.DurationFormat;
import dev.fanout.RunResult;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.Execution;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import dev.fanout.report.Reports;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "history", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Without BATCH_ID: the recorded batches, newest first, with their items by state and their time.",
                "With BATCH_ID: its items in order, each with its latest run's outcome, attempts, time and error.",
                "A batch whose driver died while it ran is shown INTERRUPTED; 'fanout resume BATCH_ID' runs what did not succeed."},
        footer = {"", "Examples:", "  fanout history", "  fanout history 20261122-143012-3fa9 --state failed --state pending",
                "  fanout history 20261122-143012-3fa9 --json"})
public final class HistoryCommand implements Callable<Integer> {
    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @ParentCommand
    FanoutCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "BATCH_ID", description = "A batch to show in detail.")
    String batchId;

    @Option(names = {"--state", "--outcome"}, paramLabel = "STATE",
            description = "Only items in this state (repeatable): ${COMPLETION-CANDIDATES}.")
    List<ItemState> states = new ArrayList<>();

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "Batches to list (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--history", paramLabel = "FILE",
            description = "The history file (default: $FANOUT_HISTORY, else ~/.fanout/history.db).")
    Path history;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try {
            if (limit < 1) {
                throw new BadInputException("--limit must be at least 1, got " + limit);
            }
            if (batchId == null && !states.isEmpty()) {
                throw new BadInputException("--state filters the items of one batch: give a BATCH_ID");
            }
            try (HistoryStore store = BatchLauncher.open(history != null ? history : parent.env().history())) {
                PrintStream out = parent.env().out();
                if (batchId == null) {
                    List<BatchRecord> batches = store.batches(limit);
                    if (json) {
                        out.println(Reports.history(batches));
                    } else {
                        printBatches(batches, Path.of(store.location()), out);
                    }
                    return 0;
                }
                BatchRecord batch = store.require(batchId);
                Set<ItemState> wanted = states.isEmpty() ? EnumSet.allOf(ItemState.class) : EnumSet.copyOf(states);
                List<ItemRecord> items = store.items(batchId).stream().filter(i -> wanted.contains(i.state())).toList();
                if (batch.isWorkflow()) {
                    out.println(json ? Reports.workflowHistory(store, batchId) : WorkflowHistory.of(store, batch, items).text());
                    return 0;
                }
                if (json) {
                    out.println(Reports.history(batch, items));
                } else {
                    printBatch(batch, items, out, store);
                }
                return 0;
            }
        } catch (BadInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static void printBatches(List<BatchRecord> batches, Path file, PrintStream out) {
        if (batches.isEmpty()) {
            out.println("no batches in " + file);
            return;
        }
        StringBuilder sb = new StringBuilder();
        // a workflow run is one line: "workflow NAME", its tasks counted (each task's iterations: fanout history ID)
        int jobWidth = Math.max(18, Math.min(32, batches.stream().mapToInt(b -> job(b).length()).max().orElse(0)));
        String row = "%-22s %-" + jobWidth + "s %-11s %13s  %-28s %-19s %8s %4s%n";
        sb.append(String.format(row, "BATCH", "JOB", "STATE", "SUCCEEDED", "NOT SUCCEEDED", "STARTED (UTC)", "TIME", "EXEC"));
        for (BatchRecord b : batches) {
            sb.append(String.format(row, b.id(), abbreviate(job(b), jobWidth), b.state(),
                    b.count(ItemState.SUCCEEDED) + "/" + b.itemCount() + (b.isWorkflow() ? " tasks" : ""), others(b),
                    WHEN.format(b.createdAt()), DurationFormat.format(b.busyTime()), b.executions().size()));
        }
        out.print(sb);
    }

    /** The job column: the job, or {@code workflow NAME} for a workflow run. */
    private static String job(BatchRecord b) {
        return b.isWorkflow() ? "workflow " + b.job() : b.job();
    }

    /** The items that did not succeed by state, e.g. "2 failed, 1 pending", or "-" when none. */
    static String others(BatchRecord b) {
        StringBuilder sb = new StringBuilder();
        List<ItemState> order = new ArrayList<>(EnumSet.complementOf(EnumSet.of(ItemState.SUCCEEDED, ItemState.PENDING)));
        order.add(ItemState.PENDING); // after the outcomes, as the table has always shown it
        for (ItemState s : order) {
            long n = b.count(s);
            if (n > 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(n).append(' ').append(s.name().toLowerCase(Locale.ROOT).replace('_', ' '));
            }
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }

    private static void printBatch(BatchRecord b, List<ItemRecord> items, PrintStream out, dev.fanout.history.HistoryStore store) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("batch %s: %s, %s, %d items: %d succeeded%s%n", b.id(), b.job(), b.state(), b.itemCount(),
                b.count(ItemState.SUCCEEDED), others(b).equals("-") ? "" : ", " + others(b)));
        sb.append("items: ").append(b.itemsSource()).append('\n');
        if (b.isTask()) {
            sb.append("task ").append(b.task()).append(" of workflow run ").append(b.workflow()).append(" (fanout history ")
                    .append(b.workflow()).append(")\n");
        }
        executions(b, sb);
        parallelismChanges(b, store, sb);
        sb.append(String.format("%6s  %-10s %4s %8s %4s %4s  %s%n", "ITEM", "STATE", "TRY", "TIME", "EXEC", "SLOT", "PARAMETERS / RESULT"));
        for (ItemRecord i : items) {
            RunResult r = i.run();
            String detail = r == null ? "" : r.error() != null ? "  " + Reports.shortType(r.error().type()) + ": " + r.error().firstLine()
                    : r.exitValue() == null ? "" : "  -> " + abbreviate(r.exitValue().replace('\n', ' '), 80);
            sb.append(String.format("%6d  %-10s %4s %8s %4s %4s  %s%s%n", i.index(), i.state(),
                    r == null ? "-" : Integer.toString(r.attempts().size()),
                    r == null || r.startedAt() == null ? "-" : DurationFormat.format(r.duration()),
                    r == null ? "-" : Integer.toString(i.execution()), r == null || r.slot() < 0 ? "-" : Integer.toString(r.slot()),
                    Reports.params(i.params()), detail));
        }
        out.print(sb);
    }

    /** A line per execution: state, parallelism, times, process. */
    static void executions(BatchRecord b, StringBuilder sb) {
        for (Execution e : b.executions()) {
            sb.append(String.format("execution %d: %s, parallelism %d, %s -> %s (%s), pid %d on %s%n", e.seq(), e.state(),
                    e.parallelism(), WHEN.format(e.startedAt()), e.endedAt() == null ? "..." : WHEN.format(e.endedAt()),
                    e.endedAt() == null ? "running" : DurationFormat.format(java.time.Duration.between(e.startedAt(), e.endedAt())),
                    e.pid(), e.host()));
        }
    }

    /** A line per change of the runs allowed in flight (adaptive parallelism's decisions, executors coming and going). */
    static void parallelismChanges(BatchRecord b, dev.fanout.history.HistoryStore store, StringBuilder sb) {
        for (Execution e : b.executions()) {
            for (var c : store.parallelismChanges(b.id(), e.seq())) {
                sb.append(String.format("  execution %d at %s: parallelism %d \u2192 %d (%s)%n", e.seq(), WHEN.format(c.at()),
                        c.from(), c.to(), c.explanation()));
            }
        }
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
