package dev.fanout.workflow;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One task of a {@link Workflow}: a {@link dev.fanout.SparkJob} class ({@code job}) or a SQL file ({@code sql},
 * resolved against the workflow file's directory) — exactly one of the two —, the tasks it depends on, its parameters
 * as {@link Template}s, its own timeout and retries (empty: the workflow's defaults, see {@link Workflow#timeout} and
 * {@link Workflow#retries}), when it runs ({@link RunIf}) and its loops (empty: it runs once).
 *
 * @param key unique in the workflow; letters, digits, {@code _} and {@code -}
 * @param dependsOn the keys of the tasks it depends on directly, in the file's order
 * @param job the job class's fully qualified name, when it runs a class
 * @param sql the SQL file (absolute, normalized), when it runs a SQL file
 * @param params each parameter's name and template, in the file's order
 * @param line the line where the task starts in the workflow file
 */
public record Task(String key, List<String> dependsOn, Optional<String> job, Optional<Path> sql,
        Map<String, Template> params, Optional<Duration> timeout, OptionalInt retries, RunIf runIf, List<Loop> forEach,
        int line) {
    public Task {
        Objects.requireNonNull(key, "key");
        dependsOn = List.copyOf(dependsOn);
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(sql, "sql");
        if (job.isPresent() == sql.isPresent()) {
            throw new IllegalArgumentException("task '" + key + "' needs exactly one of job and sql");
        }
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retries, "retries");
        Objects.requireNonNull(runIf, "runIf");
        forEach = List.copyOf(forEach);
    }

    /** What it runs, for people: the class name or the SQL file's path. */
    public String what() {
        return job.orElseGet(() -> sql.orElseThrow().toString());
    }

    /** Whether it runs once per item of its loops. */
    public boolean loops() {
        return !forEach.isEmpty();
    }
}
