package dev.fanout.cli.bench;

import static dev.fanout.cli.bench.Median.median;

import dev.fanout.BatchResult;
import dev.fanout.Fanout;
import dev.fanout.FanoutListener;
import dev.fanout.Order;
import dev.fanout.Outcome;
import dev.fanout.Parallelism;
import dev.fanout.SparkJob;
import dev.fanout.history.HistoryStore;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.sql.SparkSession;

/**
 * {@code fanout bench adaptive}: the same batch at fixed parallelism 1, 2, 4, 8, 16, 32, at {@code auto} and at
 * {@code adaptive}, side by side on one Spark application, for two workloads: the demo's day job (CPU on few cores) and
 * a job that waits 2 s on the driver (a remote system) and then runs a tiny Spark job. Rounds are interleaved (each
 * round runs every setting once); the table gives medians of wall and process CPU seconds, runs per second, the ratio
 * to the best fixed setting and, for adaptive, where it ended and its changes. Then the longest-first benchmark: 30
 * items of which the last 3 take 8x longer, started in input order and longest first (from the durations a first,
 * unmeasured pass recorded in an in-memory history).
 */
public final class AdaptiveBenchmark {
    /** The fixed settings compared. */
    public static final int[] FIXED = {1, 2, 4, 8, 16, 32};

    /** One workload's batch: its name, job and items. */
    public record Workload(String name, SparkJob job, List<Map<String, String>> items) {}

    /** One setting's measurements on one workload. */
    public record Row(String setting, List<Double> walls, List<Double> cpus, int endLimit, List<String> changes,
                      long failed) {
        double wall() {
            return median(walls);
        }

        double cpu() {
            return median(cpus);
        }
    }

    private final SparkSession spark;
    private final int rounds;
    private final PrintStream log;
    private final List<String> only;

    /** @param only the settings to compare ({@code 1}, {@code 2}, ..., {@code auto}, {@code adaptive}); empty: all */
    public AdaptiveBenchmark(SparkSession spark, int rounds, PrintStream log, List<String> only) {
        this.spark = spark;
        this.rounds = rounds;
        this.log = log;
        this.only = only == null ? List.of() : List.copyOf(only);
    }

    /** A job that waits {@code millis} on the driver, then counts 100 rows in a tiny Spark job. */
    public static SparkJob driverWait(long millis) {
        return new SparkJob() {
            @Override
            public String run(dev.fanout.JobContext ctx) throws Exception {
                Thread.sleep(millis);
                return Long.toString(ctx.spark().range(100).count());
            }

            @Override
            public String name() {
                return "DriverWait" + millis + "ms";
            }
        };
    }

    /** Every setting on {@code w}, interleaved over the rounds; the rows in setting order. */
    public List<Row> compare(Workload w) {
        Map<String, Parallelism> settings = new LinkedHashMap<>();
        for (int n : FIXED) {
            settings.put(Integer.toString(n), Parallelism.fixed(n));
        }
        settings.put("auto", Parallelism.auto());
        settings.put("adaptive", Parallelism.adaptive());
        if (!only.isEmpty()) {
            settings.keySet().retainAll(only);
            for (String o : only) {
                if (!settings.containsKey(o) && o.matches("[0-9]+")) {
                    settings.put(o, Parallelism.fixed(Integer.parseInt(o)));
                }
            }
        }
        Map<String, List<Double>> walls = new LinkedHashMap<>();
        Map<String, List<Double>> cpus = new LinkedHashMap<>();
        Map<String, Integer> ends = new LinkedHashMap<>();
        Map<String, List<String>> changes = new LinkedHashMap<>();
        Map<String, Long> failed = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(settings.keySet());
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < names.size(); k++) {
                String name = names.get((k + round) % names.size()); // rotated: no setting always runs first
                List<String> seen = new CopyOnWriteArrayList<>();
                FanoutListener listener = new FanoutListener() {
                    @Override
                    public void onParallelismChange(ParallelismChange c) {
                        seen.add(c.from() + "\u2192" + c.to() + " (" + c.explanation() + ")");
                    }
                };
                try (Fanout f = Fanout.builder(spark).parallelism(settings.get(name)).order(Order.INPUT).listener(listener).build()) {
                    long t0 = System.nanoTime();
                    BatchResult r = f.forEach(w.job(), w.items());
                    double wall = (System.nanoTime() - t0) / 1e9;
                    double cpu = r.cost() == null || r.cost().processCpuNanos() < 0 ? Double.NaN : r.cost().processCpuNanos() / 1e9;
                    walls.computeIfAbsent(name, x -> new ArrayList<>()).add(wall);
                    cpus.computeIfAbsent(name, x -> new ArrayList<>()).add(cpu);
                    ends.put(name, f.parallelismNow());
                    changes.put(name, List.copyOf(seen));
                    failed.merge(name, r.total() - r.count(Outcome.SUCCEEDED), Long::sum);
                    log.printf(Locale.ROOT, "  %s, round %d, parallelism %-8s %7.1f s wall, %7.1f s CPU%s%n", w.name(), round + 1,
                            name, wall, cpu, seen.isEmpty() ? "" : ", changes " + String.join(", ", seen));
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String name : names) {
            rows.add(new Row(name, walls.get(name), cpus.get(name), ends.get(name), changes.get(name), failed.get(name)));
        }
        return rows;
    }

    /** Longest first against input order: wall seconds of each, after a first pass recorded every item's duration. */
    public double[] longestFirst(SparkJob job, List<Map<String, String>> items, int parallelism) {
        try (HistoryStore history = HistoryStore.inMemory()) {
            try (Fanout first = Fanout.builder(spark).parallelism(parallelism).order(Order.INPUT).history(history).build()) {
                first.forEach(job, items); // records the durations
            }
            List<Double> input = new ArrayList<>();
            List<Double> longest = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                for (Order o : round % 2 == 0 ? List.of(Order.INPUT, Order.LONGEST_FIRST) : List.of(Order.LONGEST_FIRST, Order.INPUT)) {
                    try (Fanout f = Fanout.builder(spark).parallelism(parallelism).order(o).history(history).build()) {
                        long t0 = System.nanoTime();
                        f.forEach(job, items);
                        double wall = (System.nanoTime() - t0) / 1e9;
                        (o == Order.INPUT ? input : longest).add(wall);
                        log.printf(Locale.ROOT, "  longest first, round %d, %-13s %6.1f s wall%n", round + 1, o.spec(), wall);
                    }
                }
            }
            return new double[] {median(input), median(longest)};
        }
    }

    /** A job whose runs wait {@code millis} on the driver, {@code 8 x millis} for items with {@code long=true}. */
    public static SparkJob shortAndLong(long millis) {
        return new SparkJob() {
            @Override
            public String run(dev.fanout.JobContext ctx) throws Exception {
                Thread.sleep(Boolean.parseBoolean(ctx.params().getOrDefault("long", "false")) ? 8 * millis : millis);
                return Long.toString(ctx.spark().range(10).count());
            }

            @Override
            public String name() {
                return "ShortAndLong" + millis + "ms";
            }
        };
    }

    /** The rows as a table, each against the best fixed setting. */
    public static void table(String title, List<Row> rows, int items, PrintStream out) {
        double best = rows.stream().filter(r -> r.setting().matches("\\d+")).mapToDouble(Row::wall).min().orElse(Double.NaN);
        String bestName = rows.stream().filter(r -> r.setting().matches("\\d+") && r.wall() == best).map(Row::setting).findFirst().orElse("?");
        out.println(title + " (" + items + " runs; best fixed: " + bestName + ")");
        out.printf("%-10s %9s %9s %8s %8s %6s  %s%n", "setting", "wall s", "CPU s", "runs/s", "vs best", "end", "changes (adaptive)");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-10s %9.1f %9.1f %8.2f %7.2fx %6d  %s%s%n", r.setting(), r.wall(), r.cpu(), items / r.wall(),
                    r.wall() / best, r.endLimit(), r.changes().isEmpty() ? "-" : String.join(", ", r.changes()),
                    r.failed() > 0 ? "  (" + r.failed() + " runs failed)" : "");
        }
        out.println();
    }

    /** The two workloads' walls as bar charts (SVG), with the tables' figures, in one page. */
    public static String html(Map<String, List<Row>> results, String master) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>fanout bench adaptive</title><style>body{font:14px system-ui,sans-serif;margin:24px}"
                + "text{font:12px system-ui,sans-serif}</style></head><body>\n<h1>Fixed, auto and adaptive parallelism on "
                + esc(master) + "</h1>\n");
        results.forEach((title, rows) -> {
            double max = rows.stream().mapToDouble(Row::wall).max().orElse(1);
            int barH = 22;
            h.append("<h2>").append(esc(title)).append("</h2>\n<svg width=\"760\" height=\"").append(rows.size() * barH + 10)
                    .append("\">");
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                double w = 560 * r.wall() / max;
                String color = r.setting().equals("adaptive") ? "#e8590c" : r.setting().equals("auto") ? "#1c7ed6" : "#868e96";
                h.append(String.format(Locale.ROOT, "<text x=\"80\" y=\"%d\" text-anchor=\"end\">%s</text>", i * barH + 16, esc(r.setting())))
                        .append(String.format(Locale.ROOT, "<rect x=\"90\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>",
                                i * barH + 4, w, color))
                        .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.1f s</text>", 96 + w, i * barH + 16, r.wall()));
            }
            h.append("</svg>\n");
        });
        return h.append("</body></html>\n").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
