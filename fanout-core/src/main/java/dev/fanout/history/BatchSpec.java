package dev.fanout.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.DurationFormat;
import dev.fanout.FailurePolicy;
import dev.fanout.Parallelism;
import dev.fanout.Redaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a batch execution was started with, as the history records it: what {@code resume} starts the batch with
 * again unless told otherwise. Core writes and reads it ({@link #toJson()}, {@link #fromJson}); a history file
 * written before this record existed (the command line's options document) still reads.
 *
 * @param job         the job as {@code Jobs.load} loads it again: a class name, or a SQL file's absolute path
 * @param itemsSource where the items came from, for people (a file, a range), or null
 * @param parallelism how many runs went at once
 * @param timeout     per attempt, or null for none
 * @param retries     retries after a failed attempt
 * @param secrets     the secret-name pattern ({@link Redaction#pattern()})
 * @param params      the constants added to every item (the command line's {@code -p}); secrets masked when stored
 * @param launch      how Spark was started, when fanout started it (the command line), else null
 * @param jobHash     the SHA-256 (hex) of a SQL job's file as it ran, so a resume can tell it changed; null for a class
 */
public record BatchSpec(String job, String itemsSource, Parallelism parallelism, Duration timeout, int retries,
                        FailurePolicy failurePolicy, String secrets, Map<String, String> params, Launch launch,
                        String jobHash) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The {@code itemsSource} of a workflow run: its {@code job} is the workflow file's absolute path, its
     * {@code params} the workflow's parameters, its {@code jobHash} the file's hash, its items the tasks.
     */
    public static final String WORKFLOW = "workflow";

    public BatchSpec {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(parallelism, "parallelism");
        Objects.requireNonNull(failurePolicy, "failurePolicy");
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
        }
        secrets = secrets == null ? Redaction.DEFAULT_PATTERN : secrets;
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** A batch of a class job (no {@code jobHash}). */
    public BatchSpec(String job, String itemsSource, Parallelism parallelism, Duration timeout, int retries,
                     FailurePolicy failurePolicy, String secrets, Map<String, String> params, Launch launch) {
        this(job, itemsSource, parallelism, timeout, retries, failurePolicy, secrets, params, launch, null);
    }

    /**
     * How the command line started Spark for the batch.
     *
     * @param command the command that started it (foreach, resume, run)
     * @param conf    Spark settings given or preferred by the command; secrets masked when stored
     */
    public record Launch(String command, String master, List<String> jars, Map<String, String> conf) {
        public Launch {
            jars = jars == null ? List.of() : List.copyOf(jars);
            conf = conf == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(conf));
        }
    }

    public BatchSpec withParams(Map<String, String> params) {
        return new BatchSpec(job, itemsSource, parallelism, timeout, retries, failurePolicy, secrets, params, launch, jobHash);
    }


    /** With secret values masked (params and Spark settings), as stored. */
    public BatchSpec masked(Redaction redaction) {
        Launch l = launch == null ? null : new Launch(launch.command(), launch.master(), launch.jars(), redaction.params(launch.conf()));
        return new BatchSpec(job, itemsSource, parallelism, timeout, retries, failurePolicy, secrets, redaction.params(params), l,
                jobHash);
    }

    /** The stored form (version 2). */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("version", 2).put("job", job).put("itemsSource", itemsSource).put("parallelism", parallelism.spec())
                .put("timeout", timeout == null ? null : timeout.toString()).put("retries", retries)
                .put("failurePolicy", failurePolicy.name()).put("secrets", secrets);
        o.set("params", JSON.valueToTree(params));
        if (launch != null) {
            ObjectNode l = o.putObject("launch");
            l.put("command", launch.command()).put("master", launch.master());
            l.set("jars", JSON.valueToTree(launch.jars()));
            l.set("conf", JSON.valueToTree(launch.conf()));
        }
        if (jobHash != null) {
            o.put("jobHash", jobHash);
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads {@link #toJson()}'s form, or the options document the command line stored before version 2
     * ({@code jobClass}, {@code parallelism} "auto" or a number, {@code timeout} as formatted for people, e.g. "30.0s").
     *
     * @throws IllegalArgumentException naming what is unreadable
     */
    public static BatchSpec fromJson(String json) {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable batch options " + json + ": " + e.getOriginalMessage(), e);
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("unreadable batch options " + json + ": not a JSON object");
        }
        try {
            return o.has("version") ? v2(o) : legacy(o);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable batch options " + json + ": " + e.getMessage(), e);
        }
    }

    private static BatchSpec v2(JsonNode o) {
        JsonNode l = o.get("launch");
        Launch launch = l == null || l.isNull() ? null
                : new Launch(text(l, "command"), text(l, "master"), strings(l.get("jars")), map(l.get("conf")));
        String timeout = text(o, "timeout");
        return new BatchSpec(text(o, "job"), text(o, "itemsSource"), Parallelism.parse(text(o, "parallelism")),
                timeout == null ? null : Duration.parse(timeout), o.path("retries").asInt(0),
                FailurePolicy.valueOf(o.path("failurePolicy").asText("CONTINUE")), text(o, "secrets"), map(o.get("params")), launch,
                text(o, "jobHash"));
    }

    /** The command line's options document of schema version 1 (StoredOptions). */
    private static BatchSpec legacy(JsonNode o) {
        Parallelism p;
        String given = text(o, "parallelism");
        if (given == null || !given.trim().equalsIgnoreCase("auto")) {
            p = Parallelism.parse(given == null ? "1" : given);
        } else {
            Parallelism.Auto a = Parallelism.auto();
            if (o.hasNonNull("executorsPerRun")) {
                a = a.executorsPerRun(o.get("executorsPerRun").asInt());
            } else if (o.hasNonNull("coresPerRun")) {
                a = a.coresPerRun(o.get("coresPerRun").asInt());
            }
            if (o.hasNonNull("maxParallelism")) {
                a = a.max(o.get("maxParallelism").asInt());
            }
            p = a;
        }
        return new BatchSpec(text(o, "jobClass"), text(o, "itemsSource"), p, legacyDuration(text(o, "timeout")),
                o.path("retries").asInt(0), o.path("failFast").asBoolean(false) ? FailurePolicy.FAIL_FAST : FailurePolicy.CONTINUE,
                text(o, "secrets"), map(o.get("params")),
                new Launch(text(o, "command"), text(o, "master"), strings(o.get("jars")), map(o.get("conf"))));
    }

    /** Version 1 stored the timeout as formatted for people: 250ms, 30.0s, 1m05s, 2h00m. */
    static Duration legacyDuration(String s) {
        if (s == null) {
            return null;
        }
        java.util.regex.Matcher seconds = java.util.regex.Pattern.compile("(\\d+)\\.(\\d)s").matcher(s.trim());
        if (seconds.matches()) {
            return Duration.ofMillis(Long.parseLong(seconds.group(1)) * 1000 + Long.parseLong(seconds.group(2)) * 100);
        }
        return DurationFormat.parse(s);
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        if (a != null) {
            a.forEach(v -> out.add(v.asText()));
        }
        return out;
    }

    private static Map<String, String> map(JsonNode m) {
        Map<String, String> out = new LinkedHashMap<>();
        if (m != null) {
            m.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
        }
        return out;
    }
}
