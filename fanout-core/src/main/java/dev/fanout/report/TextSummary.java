package dev.fanout.report;

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

/** The summary for people printed after a batch: counts, wall time, slowest runs, failures with their first error line. */
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
}
