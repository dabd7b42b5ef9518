package dev.fanout.cli.bench;

import dev.fanout.cli.bench.PatternsBenchmark.PatternResult;
import dev.fanout.cli.bench.PatternsBenchmark.Result;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@link PatternsBenchmark}'s result as a text table and as a self-contained HTML page with an inline SVG bar chart in
 * the manner of the seed's Figure 3: one bar per pattern (median wall time), a whisker from the fastest to the slowest
 * round, and the CPU-bound limit as a dashed line. No script, no external resource: the page opens anywhere as is.
 */
public final class PatternsReport {
    private PatternsReport() {}

    /** What the CPU-bound limit is, in words (the table's and the page's footnote). */
    static String limitDefinition(Result r) {
        return String.format(Locale.ROOT, "CPU-bound limit %.1fs = the sequential loop's median CPU %.1fs / %d task slot(s) (%s)"
                        + ": the wall time if all of its work were spread perfectly over the cores that run tasks; this machine has %d core(s)",
                r.limitSeconds(), r.of(PatternsBenchmark.Pattern.SEQUENTIAL).medianCpu(), r.taskSlots(), r.slotsExplained(),
                r.machineCores());
    }

    static String cpuDefinition(Result r) {
        return r.executorCpuCounted()
                ? "CPU = the driver's process CPU + the CPU of the executors' tasks (Spark task metrics; executor JVMs' own work outside tasks not counted)"
                : "CPU = this process's CPU (user + system, every thread: the driver and, in local mode, the tasks)";
    }

    private static String warmup(Result r) {
        return r.warmupDays() == 0 ? "no warm-up" : "after a warm-up of every pattern over " + r.warmupDays() + " day(s)";
    }

    /** The table, the limit and the verdict. */
    public static void text(Result r, PrintStream out) {
        out.printf(Locale.ROOT, "%s over %d day(s) %s..%s, master %s; %d round(s), %s; medians%n",
                r.job(), r.days(), r.firstDay(), r.lastDay(), r.master(), r.rounds(), warmup(r));
        out.printf("%-22s %7s  %-24s %8s %17s %8s %8s  %s%n", "pattern", "threads", "scheduling", "wall s", "(min-max)",
                "CPU s", "speed-up", "rows");
        for (PatternResult p : r.patterns()) {
            out.printf(Locale.ROOT, "%-22s %7d  %-24s %8.1f %17s %8.1f %7.2fx  %s%n", p.name(), p.threads(), p.scheduling(),
                    p.medianWall(), String.format(Locale.ROOT, "(%.1f-%.1f)", p.minWall(), p.maxWall()), p.medianCpu(),
                    r.speedUp(p), p.error() == null ? "ok" : "ERROR: " + p.error());
        }
        out.println(limitDefinition(r));
        out.println(cpuDefinition(r));
        out.println("sessions: " + r.sessions());
        out.println("rows: each pattern's days rewritten by it and equal to the first sequential loop's rows");
        out.println(verdict(r));
    }

    /** Fanout against the best naive pattern, in one line. */
    static String verdict(Result r) {
        PatternResult fanout = r.of(PatternsBenchmark.Pattern.FANOUT_AUTO);
        PatternResult best = r.patterns().stream().filter(p -> p != fanout)
                .min(java.util.Comparator.comparingDouble(PatternResult::medianWall)).orElseThrow();
        return String.format(Locale.ROOT, "fanout auto: %.1fs, %.2fx the sequential loop; best naive pattern: %s, %.1fs (fanout/best = %.2f);"
                        + " CPU-bound limit %.1fs", fanout.medianWall(), r.speedUp(fanout), best.name(), best.medianWall(),
                fanout.medianWall() / best.medianWall(), r.limitSeconds());
    }

    /** The self-contained page: title, chart, the table and the definitions. */
    public static String html(Result r) {
        StringBuilder h = new StringBuilder(16_384);
        String title = "fanout bench patterns: " + r.job() + ", " + r.days() + " days, " + r.master();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>\n")
                .append("<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}"
                        + "td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child,"
                        + "td.l,th.l{text-align:left}.err{color:#b00}p.note{color:#555;max-width:860px}</style>\n</head><body>\n")
                .append("<h1>").append(esc("Many small Spark jobs from one driver")).append("</h1>\n<p>")
                .append(esc(String.format(Locale.ROOT, "%s over %d day(s) %s..%s on %s; median of %d round(s), pattern order rotated"
                                + " each round; %s.", r.job(), r.days(), r.firstDay(), r.lastDay(), r.master(), r.rounds(), warmup(r))))
                .append("</p>\n");
        h.append(svg(r)).append('\n');
        h.append("<table><thead><tr><th>pattern</th><th class=\"l\">how</th><th class=\"l\">scheduling</th><th>threads</th><th>wall s (median)</th>"
                + "<th>min</th><th>max</th><th>CPU s (median)</th><th>speed-up</th><th class=\"l\">rows</th></tr></thead><tbody>\n");
        for (PatternResult p : r.patterns()) {
            h.append("<tr><td>").append(esc(p.name())).append("</td><td class=\"l\">").append(esc(p.how()))
                    .append("</td><td class=\"l\">").append(esc(p.scheduling())).append("</td><td>").append(p.threads())
                    .append("</td><td>").append(f1(p.medianWall())).append("</td><td>").append(f1(p.minWall()))
                    .append("</td><td>").append(f1(p.maxWall())).append("</td><td>").append(f1(p.medianCpu()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.2fx", r.speedUp(p))).append("</td><td class=\"l")
                    .append(p.error() == null ? "\">ok" : " err\">" + esc("ERROR: " + p.error())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        for (String note : List.of(limitDefinition(r), cpuDefinition(r), "Sessions: " + r.sessions() + ".",
                "Rows: after each pattern, every day's rows were in files it wrote and equal to the first sequential loop's rows.",
                verdict(r))) {
            h.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
        }
        return h.append("</body></html>\n").toString();
    }

    /** The bar chart: median wall per pattern, min-max whiskers, the CPU-bound limit as a dashed line. */
    static String svg(Result r) {
        int width = 820;
        int height = 380;
        int left = 64;
        int right = 24;
        int top = 58;
        int bottom = 70;
        double plotW = width - left - right;
        double plotH = height - top - bottom;
        double max = r.limitSeconds();
        for (PatternResult p : r.patterns()) {
            max = Math.max(max, p.maxWall());
        }
        double step = niceStep(max / 5);
        double yMax = Math.max(step, Math.ceil(max * 1.1 / step) * step);
        StringBuilder s = new StringBuilder(8_192);
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " role=\"img\" aria-label=\"wall time per pattern\" font-family=\"system-ui,sans-serif\" font-size=\"12\">%n",
                width, height, width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n", left,
                esc("Wall time per pattern (s), median of " + r.rounds() + " round(s); whiskers: min-max")));
        for (double y = 0; y <= yMax + 1e-9; y += step) {
            double py = top + plotH - y / yMax * plotH;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%s</text>%n", left, left + plotW, py, py,
                    left - 6, py + 4, axis(y, step)));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%.1f\" stroke=\"#888\"/>%n", left, left, top, top + plotH));
        int n = r.patterns().size();
        double band = plotW / n;
        double barW = band * 0.56;
        for (int i = 0; i < n; i++) {
            PatternResult p = r.patterns().get(i);
            double cx = left + band * (i + 0.5);
            double h = p.medianWall() / yMax * plotH;
            double y = top + plotH - h;
            String fill = p.error() != null ? "#c0392b" : p.pattern() == PatternsBenchmark.Pattern.FANOUT_AUTO ? "#2e7d32" : "#4a78b0";
            s.append(String.format(Locale.ROOT, "<rect class=\"bar\" data-pattern=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
                    + " height=\"%.1f\" fill=\"%s\"><title>%s</title></rect>%n", esc(p.name()), cx - barW / 2, y, barW, h, fill,
                    esc(String.format(Locale.ROOT, "%s: median %.1fs (min %.1f, max %.1f), CPU %.1fs, %d thread(s), %.2fx",
                            p.name(), p.medianWall(), p.minWall(), p.maxWall(), p.medianCpu(), p.threads(), r.speedUp(p)))));
            double yLo = top + plotH - p.minWall() / yMax * plotH;
            double yHi = top + plotH - p.maxWall() / yMax * plotH;
            s.append(String.format(Locale.ROOT, "<g class=\"whisker\" stroke=\"#222\"><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                    + "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/></g>%n",
                    cx, cx, yLo, yHi, cx - 8, cx + 8, yLo, yLo, cx - 8, cx + 8, yHi, yHi));
            boolean inside = h >= 22; // the value inside the bar's top, else above the whisker
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"%s\">%.1fs</text>%n",
                    inside ? cx - barW / 4 : cx, inside ? y + 16 : Math.min(yHi, y) - 6, inside ? "#fff" : "#222", p.medianWall()));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n", cx, top + plotH + 18, esc(p.name())));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">%s</text>%n", cx,
                    top + plotH + 34, esc(p.threads() + " thread(s), " + String.format(Locale.ROOT, "%.2fx", r.speedUp(p)))));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">%s</text>%n", cx,
                    top + plotH + 50, esc(p.scheduling())));
        }
        double ly = top + plotH - r.limitSeconds() / yMax * plotH;
        // the line across the bars; its label as a legend above the plot, where no bar can hide it
        s.append(String.format(Locale.ROOT, "<line class=\"limit\" x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d35400\""
                + " stroke-width=\"2\" stroke-dasharray=\"6 4\"/><line x1=\"%.1f\" x2=\"%.1f\" y1=\"40\" y2=\"40\" stroke=\"#d35400\""
                + " stroke-width=\"2\" stroke-dasharray=\"6 4\"/><text x=\"%.1f\" y=\"44\" fill=\"#d35400\">%s</text>%n",
                left, left + plotW, ly, ly, left + plotW - 330, left + plotW - 300, left + plotW - 294,
                esc(String.format(Locale.ROOT, "CPU-bound limit %.1fs (sequential CPU / %d task slots)", r.limitSeconds(), r.taskSlots()))));
        return s.append("</svg>").toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String axis(double y, double step) {
        return String.format(Locale.ROOT, step >= 1 ? "%.0f" : step >= 0.1 ? "%.1f" : "%.2f", y);
    }

    private static String f1(double x) {
        return String.format(Locale.ROOT, "%.1f", x);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
