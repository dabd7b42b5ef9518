package dev.fanout.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.Attempt;
import dev.fanout.BatchCost;
import dev.fanout.BatchResult;
import dev.fanout.ErrorInfo;
import dev.fanout.Parallelism;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.SparkMetrics;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.Execution;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import java.time.Instant;
import java.util.Map;

/**
 * The one mapping of results to JSON, and the one {@link ObjectMapper} of the reports. A run is always written with the
 * same field names ({@link #run}); the {@code --json} document (its shape is in DESIGN.md), the history and the HTML
 * report add where the time went ({@link #runWithCost}: slot and metrics, driver CPU and waiting for cores included),
 * and the history, for an item, the execution of its latest run. A batch's and an execution's {@link BatchCost} is
 * written by {@link #cost}. Times are ISO-8601 text, absent ones null.
 */
final class ReportJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private ReportJson() {}

    /**
     * A run: index, params, outcome, exitValue, attempts (their number), times, error, and each attempt in
     * attemptDetails; every error (the run's and each attempt's) has one shape, {@link #error}, without stack traces.
     */
    static ObjectNode run(RunResult r) {
        return run(r, false);
    }

    /** {@link #run(RunResult)}, each error with its {@code stackTrace} when {@code traces}. */
    static ObjectNode run(RunResult r, boolean traces) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("index", r.index());
        n.set("params", params(r.params()));
        n.put("outcome", r.outcome().name());
        n.put("exitValue", r.exitValue());
        n.put("attempts", r.attempts().size());
        n.put("startedAt", time(r.startedAt()));
        n.put("endedAt", time(r.endedAt()));
        n.set("error", error(r.error(), traces));
        ArrayNode attempts = n.putArray("attemptDetails");
        for (Attempt a : r.attempts()) {
            ObjectNode an = attempts.addObject();
            an.put("number", a.number());
            an.put("outcome", a.outcome().name());
            an.put("startedAt", time(a.startedAt()));
            an.put("endedAt", time(a.endedAt()));
            an.set("error", error(a.error(), traces));
        }
        return n;
    }

    /**
     * An error: {@code {"type", "message"}} and, when {@code trace}, {@code "stackTrace"} (null when none was kept: a
     * timeout or a cancel has none); JSON null for none.
     */
    static JsonNode error(ErrorInfo e, boolean trace) {
        if (e == null) {
            return MAPPER.nullNode();
        }
        ObjectNode n = MAPPER.createObjectNode().put("type", e.type()).put("message", e.message());
        if (trace) {
            n.put("stackTrace", e.stackTrace() == null || e.stackTrace().isEmpty() ? null : e.stackTrace());
        }
        return n;
    }

    /** {@link #run} with the slot of its last attempt (null when skipped) and what all its attempts cost the cluster. */
    static ObjectNode runWithCost(RunResult r) {
        return runWithCost(r, false);
    }

    /** {@link #runWithCost(RunResult)}, each error with its {@code stackTrace} when {@code traces}. */
    static ObjectNode runWithCost(RunResult r, boolean traces) {
        ObjectNode n = run(r, traces);
        if (r.slot() < 0) {
            n.putNull("slot");
        } else {
            n.put("slot", r.slot());
        }
        SparkMetrics m = r.metrics();
        n.putObject("metrics").put("jobs", m.jobs()).put("stages", m.stages()).put("tasks", m.tasks())
                .put("taskTimeMillis", m.taskTimeMillis()).put("cpuTimeNanos", m.cpuTimeNanos())
                .put("inputBytes", m.inputBytes()).put("inputRecords", m.inputRecords())
                .put("shuffleReadBytes", m.shuffleReadBytes()).put("shuffleWriteBytes", m.shuffleWriteBytes())
                .put("spilledBytes", m.spilledBytes()).put("driverCpuNanos", m.driverCpuNanos()).put("waitNanos", m.waitNanos());
        return n;
    }

    /**
     * Where a batch's time went: the measured figures of {@link BatchCost} (nanoseconds, milliseconds for task time),
     * then what follows from them (driverSideCpuNanos, driverShare, driverBusy, clusterUtilisation as fractions,
     * driverBound); null when not measured.
     */
    static JsonNode cost(BatchCost c) {
        if (c == null || !c.measured()) {
            return MAPPER.nullNode();
        }
        ObjectNode n = MAPPER.createObjectNode();
        n.put("processCpuNanos", c.processCpuNanos());
        n.put("driverCpuNanos", c.driverCpuNanos());
        n.put("executorCpuNanos", c.executorCpuNanos());
        n.put("taskTimeMillis", c.taskTimeMillis());
        n.put("waitNanos", c.waitNanos());
        n.put("wallNanos", c.wallNanos());
        n.put("driverCores", c.driverCores());
        n.put("taskSlots", c.taskSlots());
        n.put("local", c.local());
        n.put("driverSideCpuNanos", c.driverSideCpuNanos());
        n.put("driverShare", round(c.driverShare()));
        n.put("driverBusy", round(c.driverBusy()));
        n.put("clusterUtilisation", round(c.clusterUtilisation()));
        n.put("driverBound", c.driverBound());
        return n;
    }

    private static double round(double fraction) {
        return Math.round(fraction * 10_000) / 10_000.0;
    }

    /**
     * An item of a recorded batch: its latest run {@link #runWithCost with its cost} and execution, or PENDING. The
     * execution is 0 when none reached the item: PENDING, or a run that never started (SKIPPED: the batch stopped
     * first), as {@code fanout history ID} shows {@code -} for both.
     */
    static ObjectNode item(ItemRecord i) {
        return item(i, false);
    }

    /** {@link #item(ItemRecord)}, each error with its {@code stackTrace} when {@code traces}. */
    static ObjectNode item(ItemRecord i, boolean traces) {
        ObjectNode n;
        if (i.run() != null) {
            n = runWithCost(i.run(), traces);
            n.set("params", params(i.params()));
        } else {
            n = MAPPER.createObjectNode();
            n.put("index", i.index());
            n.set("params", params(i.params()));
            n.put("outcome", ItemState.PENDING.name());
            n.putNull("exitValue");
            n.put("attempts", 0);
            n.putNull("startedAt");
            n.putNull("endedAt");
            n.putNull("error");
            n.putArray("attemptDetails");
            n.putNull("slot");
        }
        n.put("execution", i.run() == null || i.run().attempts().isEmpty() ? 0 : i.execution());
        return n;
    }

    /** The {@code --json} document of a batch (DESIGN.md): totals, its cost, then every run with its cost in input order. */
    static ObjectNode batch(BatchResult r) {
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
        root.set("cost", cost(r.cost()));
        ArrayNode runs = root.putArray("runs");
        r.runs().forEach(run -> runs.add(runWithCost(run)));
        return root;
    }

    /**
     * Adds to each of {@code batch}'s {@code executions} its {@code parallelismChanges} from {@code store}: every change
     * of the limit while it ran (adaptive parallelism, executors coming and going) as {@code {from, to, reason, at}}.
     */
    static void parallelismChanges(ObjectNode batch, dev.fanout.history.HistoryStore store, String batchId) {
        for (JsonNode e : batch.get("executions")) {
            ArrayNode changes = ((ObjectNode) e).putArray("parallelismChanges");
            for (var c : store.parallelismChanges(batchId, e.get("execution").asInt())) {
                changes.addObject().put("from", c.from()).put("to", c.to()).put("reason", c.explanation())
                        .put("at", c.at().toString());
            }
        }
    }

    /** A recorded batch: its state, items by state, executions and spec (under {@code options}). */
    static ObjectNode batch(BatchRecord b) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("batchId", b.id());
        n.put("job", b.job());
        n.put("state", b.state().name());
        n.put("items", b.itemCount());
        n.put("itemsSource", b.itemsSource());
        ObjectNode counts = n.putObject("counts");
        b.counts().forEach((s, c) -> counts.put(s.name(), c));
        n.put("createdAt", b.createdAt().toString());
        n.put("seconds", b.busyTime().toMillis() / 1000.0);
        ArrayNode ex = n.putArray("executions");
        for (Execution e : b.executions()) {
            ObjectNode en = ex.addObject();
            en.put("execution", e.seq());
            en.put("state", e.state().name());
            en.put("parallelism", e.parallelism());
            en.put("taskSlots", e.taskSlots());
            en.put("startedAt", e.startedAt().toString());
            en.put("endedAt", time(e.endedAt()));
            en.put("pid", e.pid());
            en.put("host", e.host());
            en.set("cost", cost(e.cost()));
        }
        n.set("options", options(b.spec()));
        return n;
    }

    /**
     * How a batch was started, each option with its own type: {@code parallelism} a number when fixed (else its spec,
     * e.g. {@code "auto"}), {@code timeout} ISO-8601 text and {@code timeoutSeconds} a number (both null for none),
     * {@code retries} a number, then the failure policy, secret-name pattern, constants, launch and SQL file hash.
     */
    static ObjectNode options(BatchSpec spec) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("job", spec.job());
        o.put("itemsSource", spec.itemsSource());
        if (spec.parallelism() instanceof Parallelism.Fixed) {
            o.put("parallelism", spec.parallelism().max());
        } else {
            o.put("parallelism", spec.parallelism().spec());
        }
        o.put("timeout", spec.timeout() == null ? null : spec.timeout().toString());
        if (spec.timeout() == null) {
            o.putNull("timeoutSeconds");
        } else {
            o.put("timeoutSeconds", spec.timeout().toMillis() / 1000.0);
        }
        o.put("retries", spec.retries());
        o.put("failurePolicy", spec.failurePolicy().name());
        o.put("secrets", spec.secrets());
        o.set("params", params(spec.params()));
        if (spec.launch() == null) {
            o.putNull("launch");
        } else {
            ObjectNode l = o.putObject("launch");
            l.put("command", spec.launch().command());
            l.put("master", spec.launch().master());
            ArrayNode jars = l.putArray("jars");
            spec.launch().jars().forEach(jars::add);
            l.set("conf", params(spec.launch().conf()));
        }
        o.put("jobHash", spec.jobHash());
        return o;
    }

    static String write(JsonNode n) {
        try {
            return PRETTY.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON report", e);
        }
    }

    private static ObjectNode params(Map<String, String> params) {
        ObjectNode p = MAPPER.createObjectNode();
        params.forEach(p::put);
        return p;
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
