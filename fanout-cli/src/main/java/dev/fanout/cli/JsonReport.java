package dev.fanout.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.Attempt;
import dev.fanout.BatchResult;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import java.io.PrintStream;
import java.time.Instant;

/** The one JSON document {@code --json} prints on stdout (shape in DESIGN.md). */
final class JsonReport {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {}

    static ObjectNode of(BatchResult r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("batchId", r.batchId());
        root.put("job", r.job());
        root.put("parallelism", r.parallelism());
        ObjectNode counts = root.putObject("counts");
        for (Outcome o : Outcome.values()) {
            counts.put(o.name(), r.count(o));
        }
        root.put("startedAt", time(r.startedAt()));
        root.put("endedAt", time(r.endedAt()));
        root.put("interrupted", r.interrupted());
        var runs = root.putArray("runs");
        for (RunResult run : r.runs()) {
            ObjectNode n = runs.addObject();
            n.put("index", run.index());
            ObjectNode params = n.putObject("params");
            run.params().forEach(params::put);
            n.put("outcome", run.outcome().name());
            n.put("exitValue", run.exitValue());
            n.put("attempts", run.attempts().size());
            n.put("startedAt", time(run.startedAt()));
            n.put("endedAt", time(run.endedAt()));
            if (run.error() == null) {
                n.putNull("error");
            } else {
                n.putObject("error").put("type", run.error().type()).put("message", run.error().message());
            }
            var attempts = n.putArray("attemptDetails");
            for (Attempt a : run.attempts()) {
                ObjectNode an = attempts.addObject();
                an.put("number", a.number());
                an.put("outcome", a.outcome().name());
                an.put("startedAt", time(a.startedAt()));
                an.put("endedAt", time(a.endedAt()));
                an.put("error", a.error() == null ? null : a.error().type() + ": " + a.error().firstLine());
            }
        }
        return root;
    }

    static void print(BatchResult r, PrintStream out) {
        try {
            out.println(MAPPER.writeValueAsString(of(r)));
            out.flush();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON report", e);
        }
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
