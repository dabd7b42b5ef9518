package dev.fanout.cli;

import dev.fanout.BatchResult;
import dev.fanout.DurationFormat;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The human summary printed after a batch: counts, wall time, slowest runs, failures with their first error line. */
final class Summary {
    private static final int SLOWEST = 5;
    private static final int FAILURES = 20;

    private Summary() {}

    static void print(BatchResult r, PrintStream err) {
        print(r, err, null);
    }

    /** @param parallelism how to describe the parallelism, or null for the batch's number */
    static void print(BatchResult r, PrintStream err, String parallelism) {
        String counts = java.util.Arrays.stream(Outcome.values())
                .map(o -> r.count(o) + " " + o.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '))
                .collect(Collectors.joining(", "));
        err.printf("fanout: %s, %d run(s) at %s in %s: %s%s%n", r.job(), r.total(),
                parallelism != null ? parallelism : "parallelism " + r.parallelism(),
                DurationFormat.format(r.duration()), counts, r.interrupted() ? " (interrupted)" : "");
        List<RunResult> ran = r.runs().stream().filter(x -> !x.attempts().isEmpty()).toList();
        if (ran.size() > 1) {
            err.println("slowest runs:");
            ran.stream().sorted(Comparator.comparing(RunResult::duration).reversed()).limit(SLOWEST)
                    .forEach(x -> err.printf("  %8s  #%d %s%n", DurationFormat.format(x.duration()), x.index(), params(x.params())));
        }
        List<RunResult> failures = r.runs().stream().filter(x -> x.outcome().isFailure()).toList();
        if (!failures.isEmpty()) {
            err.println("failures:");
            failures.stream().limit(FAILURES).forEach(x -> err.printf("  #%d %s  %s after %d attempt(s): %s%n", x.index(),
                    params(x.params()), x.outcome(), x.attempts().size(), shortType(x.error().type()) + ": " + x.error().firstLine()));
            if (failures.size() > FAILURES) {
                err.printf("  ... and %d more (--json lists them all)%n", failures.size() - FAILURES);
            }
        }
    }

    static String params(Map<String, String> params) {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static String shortType(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }
}
