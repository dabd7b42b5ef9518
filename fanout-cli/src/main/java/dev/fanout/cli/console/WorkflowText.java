package dev.fanout.cli.console;

import dev.fanout.DurationFormat;
import dev.fanout.ErrorInfo;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.report.Reports;
import dev.fanout.workflow.TaskResult;
import dev.fanout.workflow.WorkflowResult;
import java.io.PrintStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A workflow run for people: the line said when a task ends, the table of tasks at the end, and the tally of a task's
 * iterations ({@code 15/16 (1 failed)}) that the history shows too.
 */
public final class WorkflowText {
    static final int VALUE_WIDTH = 60;

    private WorkflowText() {}

    /**
     * Iterations by state: {@code ok/total}, then the others by state, e.g. {@code 15/16 (1 failed)}; {@code states}
     * are outcome or item-state names ({@code SUCCEEDED} counts as ok).
     */
    public static String tally(Collection<String> states) {
        long ok = states.stream().filter("SUCCEEDED"::equals).count();
        Map<String, Long> others = new LinkedHashMap<>();
        for (String s : states) {
            if (!s.equals("SUCCEEDED")) {
                others.merge(s.toLowerCase(Locale.ROOT).replace('_', ' '), 1L, Long::sum);
            }
        }
        StringBuilder sb = new StringBuilder().append(ok).append('/').append(states.size());
        if (!others.isEmpty()) {
            sb.append(" (");
            others.forEach((s, n) -> sb.append(sb.charAt(sb.length() - 1) == '(' ? "" : ", ").append(n).append(' ').append(s));
            sb.append(')');
        }
        return sb.toString();
    }

    /** The tally of a task's iterations. */
    public static String tally(TaskResult t) {
        return tally(t.iterations().stream().map(r -> r.outcome().name()).toList());
    }

    /** An error as one line: its short type and first line. */
    public static String error(ErrorInfo e) {
        return e == null ? "" : ("Skipped".equals(e.type()) ? "" : Reports.shortType(e.type()) + ": ") + e.firstLine();
    }

    /** A value on one line, cut to {@code max} characters. */
    public static String abbreviate(String s, int max) {
        String one = s.replace('\n', ' ');
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }

    /** The line printed when a task ends. */
    public static String taskEnded(TaskResult t) {
        if (t.kept()) {
            return String.format("fanout: task %s kept: it succeeded in an earlier execution (%d iteration%s)", t.key(),
                    t.iterations().size(), t.iterations().size() == 1 ? "" : "s");
        }
        if (t.outcome() == Outcome.SKIPPED) {
            return "fanout: task " + t.key() + " SKIPPED: " + error(t.error());
        }
        StringBuilder sb = new StringBuilder("fanout: task ").append(t.key()).append(' ').append(t.outcome())
                .append(" in ").append(DurationFormat.format(t.duration())).append(": iterations ").append(tally(t));
        if (t.error() != null) {
            sb.append("; ").append(error(t.error()));
        }
        return sb.toString();
    }

    /**
     * The summary at the end: a line for the run, then a table of its tasks in the file's order (outcome, iterations,
     * attempts, time, value or error).
     */
    public static void summary(WorkflowResult r, PrintStream out) {
        Map<String, Long> byOutcome = new LinkedHashMap<>();
        r.tasks().values().forEach(t -> byOutcome.merge(t.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' '), 1L, Long::sum));
        long kept = r.tasks().values().stream().filter(TaskResult::kept).count();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("fanout: workflow %s, run %s, %d task%s in %s: %s%s%s%n", r.name(), r.runId(), r.tasks().size(),
                r.tasks().size() == 1 ? "" : "s", DurationFormat.format(r.duration()),
                String.join(", ", byOutcome.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList()),
                kept == 0 ? "" : " (" + kept + " kept from earlier executions)", r.interrupted() ? " (interrupted)" : ""));
        int w = Math.max(4, r.tasks().keySet().stream().mapToInt(String::length).max().orElse(4));
        sb.append(String.format("  %-" + w + "s  %-9s  %-24s %4s %8s  %s%n", "TASK", "OUTCOME", "ITERATIONS", "TRY", "TIME",
                "VALUE / ERROR"));
        for (TaskResult t : r.tasks().values()) {
            List<RunResult> it = t.iterations();
            String detail = t.error() != null ? error(t.error())
                    : t.value() == null ? "" : "-> " + abbreviate(t.value(), VALUE_WIDTH);
            sb.append(String.format("  %-" + w + "s  %-9s  %-24s %4s %8s  %s%n", t.key(), t.outcome(),
                    it.isEmpty() ? "-" : tally(t), it.isEmpty() ? "-" : Integer.toString(attempts(it)),
                    t.kept() ? "kept" : t.startedAt() == null ? "-" : DurationFormat.format(t.duration()), detail));
        }
        out.print(sb);
        out.flush();
    }

    /** The attempts of all the runs together. */
    public static int attempts(List<RunResult> runs) {
        return runs.stream().mapToInt(x -> x.attempts().size()).sum();
    }
}
