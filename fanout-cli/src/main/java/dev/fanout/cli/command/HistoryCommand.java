package dev.fanout.cli.command;

import dev.fanout.cli.ExitCode;
import dev.fanout.cli.FanoutCommand;

import dev.fanout.Attempt;
import dev.fanout.BadInputException;
import dev.fanout.DurationFormat;
import dev.fanout.ErrorInfo;
import dev.fanout.RunResult;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.Execution;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import dev.fanout.report.Reports;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        description = {"Show the recorded batches and workflow runs, or one of them item by item.",
                "Without BATCH_ID: the batches, newest first, with their items by state and their time. With BATCH_ID: its"
                        + " items in order, each with its latest run's outcome, attempts, time and error. With BATCH_ID and"
                        + " ITEM: that item's every attempt with its times, error and stack trace. A batch whose driver"
                        + " died while it ran is shown INTERRUPTED; 'fanout resume BATCH_ID' runs what did not succeed."},
        footer = {"", "Examples:", "  fanout history", "  fanout history 20261122-143012-3fa9 --state failed --state pending",
                "  fanout history 20261122-143012-3fa9 7", "  fanout history 20261122-143012-3fa9 --json"},
        exitCodeListHeading = ExitCode.LIST_HEADING,
        exitCodeList = {"0:shown", "1:an unexpected error", "2:bad usage: an unknown batch or item, or a history file that cannot be read"})
public final class HistoryCommand implements Callable<Integer> {
    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter WHEN_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    /** Batches listed, and items of a batch shown, without {@code --limit}. */
    static final int BATCHES = 20;
    static final int ITEMS = 50;

    @ParentCommand
    FanoutCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "BATCH_ID", description = "A batch to show in detail.")
    String batchId;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ITEM",
            description = "One item of the batch (its index): every attempt with its times, error and stack trace.")
    Integer item;

    @Option(names = "--state", paramLabel = "STATE",
            description = "Only items in this state (repeatable): ${COMPLETION-CANDIDATES}.")
    List<ItemState> states = new ArrayList<>();

    @Option(names = "--limit", paramLabel = "N",
            description = "Batches to list (default: " + BATCHES + "); with BATCH_ID, items to show (default: " + ITEMS
                    + "), those that did not succeed first, newest first.")
    Integer limit;

    @Option(names = "--history", paramLabel = "FILE",
            description = "The history file (default: $FANOUT_HISTORY, else ~/.fanout/history.db).")
    Path history;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try {
            if (limit != null && limit < 1) {
                throw new BadInputException("--limit must be at least 1, got " + limit);
            }
            if (batchId == null && !states.isEmpty()) {
                throw new BadInputException("--state filters the items of one batch: give a BATCH_ID");
            }
            if (item != null && (!states.isEmpty() || limit != null)) {
                throw new BadInputException((limit != null ? "--limit" : "--state") + " selects items of a batch: give no ITEM");
            }
            try (HistoryStore store = BatchLauncher.open(history != null ? history : parent.env().history())) {
                PrintStream out = parent.env().out();
                if (batchId == null) {
                    List<BatchRecord> batches = store.batches(limit == null ? BATCHES : limit);
                    if (json) {
                        out.println(Reports.history(batches));
                    } else {
                        printBatches(batches, Path.of(store.location()), out);
                    }
                    return 0;
                }
                BatchRecord batch = store.require(batchId);
                if (item != null) {
                    return printItem(store, batch, item, out);
                }
                Set<ItemState> wanted = states.isEmpty() ? EnumSet.allOf(ItemState.class) : EnumSet.copyOf(states);
                List<ItemRecord> items = store.items(batchId).stream().filter(i -> wanted.contains(i.state())).toList();
                if (batch.isWorkflow()) {
                    out.println(json ? Reports.workflowHistory(store, batchId) : WorkflowHistory.of(store, batch, items).text());
                    return 0;
                }
                if (json) {
                    // all items unless --limit is given: a program reading the document asked for the batch
                    List<ItemRecord> shown = limit == null ? items : shown(items, limit);
                    out.println(Reports.history(batch, shown, leftOut(items, shown), store));
                } else {
                    printBatch(batch, items, limit == null ? ITEMS : limit, out, store);
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
        // a workflow run is one line: "workflow NAME", its tasks counted (each task's iterations: fanout history ID)
        TextTable t = new TextTable("BATCH", "JOB", "STATE", "SUCCEEDED>", "NOT SUCCEEDED", "STARTED (UTC)", "TIME>", "EXEC>");
        for (BatchRecord b : batches) {
            t.row(b.id(), abbreviate(job(b), 40), b.state(), b.count(ItemState.SUCCEEDED) + "/" + b.itemCount()
                            + (b.isWorkflow() ? " tasks" : ""), others(b), WHEN.format(b.createdAt()),
                    DurationFormat.format(b.busyTime()), b.executions().size());
        }
        out.print(t.render(""));
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

    private static void printBatch(BatchRecord b, List<ItemRecord> items, int limit, PrintStream out,
            dev.fanout.history.HistoryStore store) {
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
        List<ItemRecord> shown = shown(items, limit);
        if (shown.size() < items.size()) {
            sb.append(String.format("showing %d of %d items: those that did not succeed first, the latest to end first%n",
                    shown.size(), items.size()));
        }
        TextTable t = new TextTable("ITEM>", "STATE", "TRY>", "TIME>", "EXEC>", "SLOT>", "PARAMETERS", "RESULT");
        for (ItemRecord i : shown) {
            RunResult r = i.run();
            // a run never started (skipped: the batch stopped first) had no try, and no execution reached it
            boolean ran = r != null && !r.attempts().isEmpty();
            String detail = r == null ? "" : r.error() != null ? Reports.shortType(r.error().type()) + ": " + r.error().firstLine()
                    : r.exitValue() == null ? "" : "-> " + abbreviate(r.exitValue().replace('\n', ' '), 80);
            t.row(i.index(), i.state(), ran ? Integer.toString(r.attempts().size()) : "-",
                    ran && r.startedAt() != null ? DurationFormat.format(r.duration()) : "-",
                    ran ? Integer.toString(i.execution()) : "-", ran && r.slot() >= 0 ? Integer.toString(r.slot()) : "-",
                    Reports.params(i.params()), detail);
        }
        sb.append(t.render(""));
        if (shown.size() < items.size()) {
            sb.append(String.format("... %d more items left out (%s); --limit %d shows all, --state STATE some%n",
                    items.size() - shown.size(), byState(items, shown), items.size()));
        }
        if (shown.stream().anyMatch(i -> i.run() != null && i.run().error() != null)) {
            sb.append("each attempt with its stack trace: fanout history ").append(b.id()).append(" ITEM\n");
        }
        out.print(sb);
    }

    /**
     * At most {@code limit} of {@code items}: all in index order when they fit; else those that did not succeed before
     * those that did, each group the latest to end first (never run last, by index).
     */
    static List<ItemRecord> shown(List<ItemRecord> items, int limit) {
        if (items.size() <= limit) {
            return items;
        }
        Comparator<ItemRecord> order = Comparator.<ItemRecord>comparingInt(i -> i.state() == ItemState.SUCCEEDED ? 1 : 0)
                .thenComparing(i -> i.run() == null || i.run().endedAt() == null ? Instant.MIN : i.run().endedAt(),
                        Comparator.reverseOrder())
                .thenComparingInt(ItemRecord::index);
        return items.stream().sorted(order).limit(limit).toList();
    }

    /** The items of {@code all} not in {@code shown}, by state: {@code 880 succeeded, 20 failed}. */
    private static String byState(List<ItemRecord> all, List<ItemRecord> shown) {
        StringBuilder sb = new StringBuilder();
        leftOut(all, shown).forEach((s, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(n).append(' ')
                .append(s.name().toLowerCase(Locale.ROOT).replace('_', ' ')));
        return sb.toString();
    }

    /** How many items of {@code all} are not in {@code shown}, by state (only states with some). */
    static Map<ItemState, Long> leftOut(List<ItemRecord> all, List<ItemRecord> shown) {
        Set<Integer> in = new java.util.HashSet<>();
        shown.forEach(i -> in.add(i.index()));
        Map<ItemState, Long> counts = new EnumMap<>(ItemState.class);
        all.stream().filter(i -> !in.contains(i.index())).forEach(i -> counts.merge(i.state(), 1L, Long::sum));
        return counts;
    }

    /**
     * {@code fanout history ID ITEM}: the item, then each execution that reached it with its run and every attempt
     * (times, slot, outcome), each failed attempt with its error and the stack trace the history kept.
     */
    private int printItem(HistoryStore store, BatchRecord b, int index, PrintStream out) {
        if (index < 0 || index >= b.itemCount()) {
            throw new BadInputException("batch " + b.id() + " has items 0.." + (b.itemCount() - 1) + ", not " + index);
        }
        List<ItemRecord> runs = store.itemRuns(b.id(), index);
        Map<String, String> params = runs.isEmpty()
                ? store.items(b.id()).stream().filter(i -> i.index() == index).findFirst().map(ItemRecord::params).orElse(Map.of())
                : runs.get(runs.size() - 1).params();
        if (json) {
            out.println(Reports.itemHistory(b, index, params, runs));
            return 0;
        }
        StringBuilder sb = new StringBuilder();
        ItemState state = runs.isEmpty() ? ItemState.PENDING : runs.get(runs.size() - 1).state();
        sb.append(String.format("batch %s: %s, item %d: %s%n", b.id(), b.job(), index, state));
        sb.append("parameters: ").append(params.isEmpty() ? "none" : Reports.params(params)).append('\n');
        if (runs.isEmpty()) {
            sb.append("no execution has reached it yet (fanout resume ").append(b.id()).append(" runs it)\n");
        }
        for (ItemRecord i : runs) {
            RunResult r = i.run();
            sb.append(String.format("%nexecution %d: %s", i.execution(), r.outcome()));
            if (r.attempts().isEmpty()) {
                sb.append(", never started").append(r.error() == null ? "" : ": " + r.error().firstLine()).append('\n');
                continue;
            }
            sb.append(String.format(", %d attempt%s in %s%s%n", r.attempts().size(), r.attempts().size() == 1 ? "" : "s",
                    DurationFormat.format(r.duration()),
                    r.exitValue() == null ? "" : ", exit value: " + abbreviate(r.exitValue().replace('\n', ' '), 200)));
            for (Attempt a : r.attempts()) {
                sb.append(String.format("  attempt %d: %s, %s -> %s (%s), slot %d, job group %s%n", a.number(), a.outcome(),
                        WHEN_MILLIS.format(a.startedAt()), TIME.format(a.endedAt()),
                        DurationFormat.format(a.duration()), a.slot(), a.jobGroup()));
                ErrorInfo e = a.error();
                if (e == null) {
                    continue;
                }
                String trace = e.stackTrace() == null ? "" : e.stackTrace().stripTrailing();
                if (trace.isEmpty()) {
                    sb.append("    ").append(e.type()).append(": ").append(e.message().replace("\n", "\n    ")).append('\n');
                    sb.append("    (no stack trace: ").append(a.outcome() == dev.fanout.Outcome.FAILED ? "none was recorded"
                            : "the attempt was stopped from outside, not by an exception of the job").append(")\n");
                } else {
                    trace.lines().forEach(l -> sb.append("    ").append(l).append('\n'));
                }
            }
        }
        out.print(sb);
        return 0;
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
