package dev.fanout.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.Attempt;
import dev.fanout.RunResult;
import dev.fanout.SparkMetrics;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.Execution;
import dev.fanout.history.HistoryStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;

/**
 * The HTML report of a recorded batch: one file, no network needed. The batch's data is embedded as JSON
 * (with {@code <}, {@code >} and {@code &} escaped, so no parameter value can end the script element), and a
 * small script in the page draws the charts as SVG, building every element with the DOM API (never from
 * HTML strings). Parameters come from the history, where secrets are already masked.
 */
public final class HtmlReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARKER = "/*FANOUT_DATA*/null";
    private static final int MAX_TEXT = 2000;

    private HtmlReport() {}

    /** Writes the report of {@code batchId} to {@code file} (atomically: a temp file, then a move). */
    public static void write(HistoryStore store, String batchId, Path file) throws IOException {
        String html = render(store, batchId);
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        Path tmp = Files.createTempFile(abs.getParent(), ".report", ".html");
        try {
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static String render(HistoryStore store, String batchId) {
        BatchRecord b = store.batch(batchId).orElseThrow(() -> new IllegalArgumentException("no batch " + batchId));
        ObjectNode root = JSON.createObjectNode();
        ObjectNode batch = root.putObject("batch");
        batch.put("id", b.id());
        batch.put("job", b.job());
        batch.put("state", b.state());
        batch.put("items", b.itemCount());
        batch.put("source", b.itemsSource());
        batch.put("created", b.createdAt().toEpochMilli());
        ObjectNode counts = batch.putObject("counts");
        b.counts().forEach(counts::put);
        ArrayNode executions = root.putArray("executions");
        for (Execution e : b.executions()) {
            List<RunResult> runs = store.runs(batchId, e.seq());
            ObjectNode en = executions.addObject();
            en.put("seq", e.seq());
            en.put("state", e.state());
            en.put("parallelism", e.parallelism());
            en.put("taskSlots", e.taskSlots());
            en.put("start", e.startedAt().toEpochMilli());
            long end = e.endedAt() != null ? e.endedAt().toEpochMilli()
                    : runs.stream().map(RunResult::endedAt).filter(t -> t != null).mapToLong(Instant::toEpochMilli).max()
                    .orElse(e.startedAt().toEpochMilli());
            en.put("end", end);
            ArrayNode rs = en.putArray("runs");
            for (RunResult r : runs) {
                rs.add(run(r));
            }
        }
        String data;
        try {
            data = JSON.writeValueAsString(root).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        String page = template();
        return page.replace(MARKER, data).replace("{{TITLE}}", escape("fanout report " + b.id() + " " + b.job()));
    }

    private static ObjectNode run(RunResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("i", r.index());
        ObjectNode p = n.putObject("p");
        r.params().forEach((k, v) -> p.put(k, cut(v)));
        n.put("o", r.outcome().name());
        n.put("slot", r.slot());
        if (r.startedAt() != null) {
            n.put("s", r.startedAt().toEpochMilli());
            n.put("e", r.endedAt().toEpochMilli());
        }
        if (r.exitValue() != null) {
            n.put("x", cut(r.exitValue()));
        }
        if (r.error() != null) {
            n.put("err", cut(r.error().type() + ": " + r.error().message()));
        }
        ArrayNode attempts = n.putArray("a");
        for (Attempt a : r.attempts()) {
            ObjectNode an = attempts.addObject();
            an.put("n", a.number());
            an.put("s", a.startedAt().toEpochMilli());
            an.put("e", a.endedAt().toEpochMilli());
            an.put("o", a.outcome().name());
            if (a.error() != null) {
                an.put("err", cut(a.error().type() + ": " + a.error().firstLine()));
            }
        }
        SparkMetrics m = r.metrics();
        n.put("tasks", m.tasks());
        n.put("taskMs", m.taskTimeMillis());
        n.put("cpuMs", m.cpuTimeNanos() / 1_000_000);
        n.put("in", m.inputBytes());
        n.put("shuffle", m.shuffleReadBytes() + m.shuffleWriteBytes());
        return n;
    }

    private static String cut(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String template() {
        try (InputStream in = HtmlReport.class.getResourceAsStream("report.html")) {
            if (in == null) {
                throw new IllegalStateException("report.html is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
