package dev.fanout.report;

import dev.fanout.BatchCost;
import dev.fanout.BatchResult;
import dev.fanout.DurationFormat;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The summary for people printed after a batch: counts, wall time, where the time went, the driver-bound hint, slowest
 * runs, failures with their first error line.
 *
 * <p>"where the time went" is one line from {@link BatchCost}: the driver's CPU (and the part the runs' own threads
 * used), the executors' CPU and task time, the runs' waiting for cores, then how busy the driver's cores and the task
 * slots were. When {@link BatchCost#driverBound()} holds and at least two runs ran, one more line says so and what to
 * do; an executor-bound or idle batch gets none.
 */
final class TextSummary {
    private static final int SLOWEST = 5;
    private static final int FAILURES = 20;

    private TextSummary() {}

    static void print(BatchResult r, PrintStream out, String parallelismNote) {
        String counts = Arrays.stream(Outcome.values())
                .map(o -> r.count(o) + " " + o.name().toLowerCase(Locale.ROOT).replace('_', ' '))
                .collect(Collectors.joining(", "));
        out.printf("fanout: %s, %d run(s) at %s in %s: %s%s%n", r.job(), r.total(),
                parallelismNote != null ? parallelismNote : "parallelism " + r.parallelism(),
                DurationFormat.format(r.duration()), counts, r.interrupted() ? " (interrupted)" : "");
        BatchCost cost = r.cost();
        long started = r.total() - r.count(Outcome.SKIPPED);
        if (cost.measured() && started > 0) {
            out.println(whereTheTimeWent(cost));
            if (cost.driverBound() && started >= 2) {
                out.println(driverBoundHint(cost));
            }
        }
        List<RunResult> ran = r.runs().stream().filter(x -> !x.attempts().isEmpty()).toList();
        if (ran.size() > 1) {
            out.println("slowest runs:");
            ran.stream().sorted(Comparator.comparing(RunResult::duration).reversed()).limit(SLOWEST)
                    .forEach(x -> out.printf("  %8s  #%d %s%n", DurationFormat.format(x.duration()), x.index(),
                            Reports.params(x.params())));
        }
        List<RunResult> failures = r.runs().stream().filter(x -> x.outcome().isFailure()).toList();
        if (!failures.isEmpty()) {
            out.println("failures:");
            failures.stream().limit(FAILURES).forEach(x -> out.printf("  #%d %s  %s after %d attempt(s): %s%n", x.index(),
                    Reports.params(x.params()), x.outcome(), x.attempts().size(),
                    Reports.shortType(x.error().type()) + ": " + x.error().firstLine()));
            if (failures.size() > FAILURES) {
                out.printf("  ... and %d more (--json lists them all)%n", failures.size() - FAILURES);
            }
        }
        out.flush();
    }

    /** The one line: driver CPU vs executor CPU vs waiting, and how busy each side was. */
    static String whereTheTimeWent(BatchCost c) {
        return String.format(Locale.ROOT, "where the time went: driver %s CPU-s (%s in the runs' own threads),"
                        + " executors %s CPU-s (%s s of task time), waiting for cores %s s; driver busy %s of %d core(s),"
                        + " executors %s of %d task slot(s)",
                seconds(c.driverSideCpuNanos()), seconds(c.driverCpuNanos()), seconds(c.executorCpuNanos()),
                seconds(c.taskTimeMillis() * 1_000_000L), seconds(c.waitNanos()), percent(c.driverBusy()), c.driverCores(),
                percent(c.clusterUtilisation()), c.taskSlots());
    }

    /** The hint for a driver-bound batch ({@link BatchCost#driverBound()}). */
    static String driverBoundHint(BatchCost c) {
        return String.format(Locale.ROOT, "driver-bound: driver busy %s of %d core(s) while executors were %s busy:"
                        + " fewer, larger runs or less planning per run will help, more parallelism will not",
                percent(c.driverBusy()), c.driverCores(), percent(c.clusterUtilisation()));
    }

    private static String seconds(long nanos) {
        double s = nanos / 1e9;
        return String.format(Locale.ROOT, s < 10 ? "%.2f" : s < 100 ? "%.1f" : "%.0f", s);
    }

    private static String percent(double fraction) {
        return Math.round(100 * fraction) + "%";
    }
}
