package dev.fanout.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fanout.RunResult;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.HistoryStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.Map;

/**
 * The HTML report of a recorded batch: one file, no network needed. The batch's data is embedded as JSON, the
 * history's document of the batch with each execution's runs ({@link ReportJson}: the field names of
 * {@code --json}), with {@code <}, {@code >} and {@code &} escaped, so no parameter value can end the script
 * element; texts longer than {@value #MAX_TEXT} characters (stack traces: {@value #MAX_TRACE}) are cut. A small script in the page
 * ({@code report.html}) draws the charts as SVG, building every element with the DOM API (never from HTML strings).
 * Parameters come from the history, where secrets are already masked. A workflow run
 * ({@link BatchRecord#isWorkflow()}) gets its own page ({@code report-workflow.html}, data from {@link WorkflowReport}):
 * a Gantt of its tasks; a task's batch ({@code RUN.KEY}) renders as any batch.
 */
final class HtmlReport {
    private static final String MARKER = "/*FANOUT_DATA*/null";
    private static final int MAX_TEXT = 2000;
    private static final int MAX_TRACE = 8000;

    private HtmlReport() {}

    /**
     * Writes the report of {@code batchId} to {@code file} atomically (a temp file beside it, then a move).
     *
     * <p>Who may read it: a new report gets the permissions of any new file of the user (their umask; on most systems
     * readable by others), because it is made to be shared and holds only what fanout prints anyway: parameters with
     * secret ones masked, and texts (errors, stack traces, exit values) with secret values masked. A report replacing a
     * file keeps that file's permissions (a report the user made private stays private). It is readable by its owner
     * only when the batch was recorded with nothing masked ({@link dev.fanout.Redaction#none()}: an empty secret-name
     * pattern), as then its parameters may hold secrets.
     */
    static void write(HistoryStore store, String batchId, Path file) throws IOException {
        BatchRecord b = store.require(batchId);
        String html = render(store, b);
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        boolean posix = abs.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            Files.writeString(tmp, html, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            if (posix && Files.exists(abs)) {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(abs));
            } else if (posix && b.spec().secrets().isEmpty()) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String render(HistoryStore store, String batchId) {
        return render(store, store.require(batchId));
    }

    /**
     * The page of a batch: its data is the history's document of the batch ({@link ReportJson#batch(BatchRecord)}),
     * {@code latest} (every item's latest run across executions, or PENDING: the batch's final state, drawn first)
     * and under each execution its {@code runs}; every error with its stack trace.
     */
    private static String render(HistoryStore store, BatchRecord b) {
        String batchId = b.id();
        if (b.isWorkflow()) {
            return embed(WorkflowReport.data(store, batchId), "report-workflow.html", "fanout workflow report " + b.id() + " " + b.job());
        }
        ObjectNode root = ReportJson.MAPPER.createObjectNode();
        root.put("id", b.id());
        ObjectNode batch = ReportJson.batch(b);
        root.set("batch", batch);
        ArrayNode latest = root.putArray("latest");
        store.items(batchId).forEach(i -> latest.add(ReportJson.item(i, true)));
        for (JsonNode e : batch.get("executions")) {
            ArrayNode runs = ((ObjectNode) e).putArray("runs");
            for (RunResult r : store.runs(batchId, e.get("execution").asInt())) {
                runs.add(ReportJson.runWithCost(r, true));
            }
        }
        // the limit's changes while each execution ran: drawn against runs in flight
        ReportJson.parallelismChanges(batch, store, batchId);
        return embed(root, "report.html", "fanout report " + b.id() + " " + b.job());
    }

    /** The page {@code template} with {@code root} embedded (long texts cut, no {@code <}, {@code >}, {@code &}). */
    private static String embed(ObjectNode root, String template, String title) {
        cut(root);
        String data;
        try {
            data = ReportJson.MAPPER.writeValueAsString(root).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return template(template).replace(MARKER, data).replace("{{TITLE}}", escape(title));
    }

    /**
     * Cuts every text longer than {@link #MAX_TEXT} (exit values, errors, parameter values), a stack trace longer than
     * {@link #MAX_TRACE}, in place.
     */
    private static void cut(JsonNode n) {
        if (n instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                int max = f.getKey().equals("stackTrace") ? MAX_TRACE : MAX_TEXT;
                if (f.getValue().isTextual() && f.getValue().asText().length() > max) {
                    f.setValue(TextNode.valueOf(f.getValue().asText().substring(0, max) + "…"));
                } else {
                    cut(f.getValue());
                }
            }
        } else if (n instanceof ArrayNode a) {
            a.forEach(HtmlReport::cut);
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String template(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
