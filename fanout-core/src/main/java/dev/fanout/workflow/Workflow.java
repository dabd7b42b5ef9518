package dev.fanout.workflow;

import dev.fanout.BadInputException;
import dev.fanout.Jobs;
import dev.fanout.Parallelism;
import dev.fanout.SparkJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A workflow file, read and checked: its name, parameters with their defaults, the parallelism its tasks and
 * iterations share, the defaults for every task, and the tasks in the file's order.
 *
 * <pre>{@code
 * Workflow wf = Workflow.read(Path.of("airline.yml")).withParams(Map.of("batch", "2"));
 * Map<String, SparkJob> jobs = wf.loadJobs(Jobs.classLoader(List.of()));
 * for (Task t : wf.topologicalOrder()) { ... }
 * }</pre>
 *
 * <p>{@link #read} refuses, with the file and line: YAML errors, unknown or misspelt keys (with the nearest known
 * one), duplicate keys, a missing {@code name}, {@code tasks} or {@code key}, bad or duplicate task keys, a task
 * with both or neither of {@code job} and {@code sql}, unknown {@code depends_on}, cycles, references to unknown
 * params, tasks or loop variables or to a task not upstream, loops without items, a loop using its own or a later
 * loop's variable, bad durations, {@code run_if}, {@code parallelism}, {@code retries} or {@code concurrency}.
 * {@link #loadJobs} checks what needs a class loader: each class is a {@link SparkJob}, each SQL file exists and splits.
 * A workflow is immutable.
 */
public final class Workflow {
    /** What every task gets unless it sets its own: {@code defaults: {timeout: 30m, retries: 2}}. */
    public record Defaults(Optional<Duration> timeout, OptionalInt retries) {
        public Defaults {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(retries, "retries");
        }

        /** No defaults: the runner's own apply. */
        public static Defaults none() {
            return new Defaults(Optional.empty(), OptionalInt.empty());
        }
    }

    private final String name;
    private final Map<String, String> params;
    private final Optional<Parallelism> parallelism;
    private final Defaults defaults;
    private final List<Task> tasks;
    private final Map<String, Task> byKey;
    private final Path path;
    private final int nameLine;

    Workflow(String name, Map<String, String> params, Optional<Parallelism> parallelism,
            Defaults defaults, List<Task> tasks, Path path, int nameLine) {
        this.name = Objects.requireNonNull(name, "name");
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.parallelism = Objects.requireNonNull(parallelism, "parallelism");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.tasks = List.copyOf(tasks);
        Map<String, Task> keys = new LinkedHashMap<>();
        tasks.forEach(t -> keys.put(t.key(), t));
        this.byKey = Collections.unmodifiableMap(keys);
        this.path = Objects.requireNonNull(path, "path");
        this.nameLine = nameLine;
    }

    /**
     * Reads and checks the workflow file {@code file} (YAML). SQL files named by tasks are resolved against the file's
     * directory.
     *
     * @throws BadInputException naming the file and line of the first problem
     */
    public static Workflow read(Path file) {
        return WorkflowReader.read(file);
    }

    /** The {@code name}. */
    public String name() {
        return name;
    }

    /** The parameters and their values (the file's defaults, or what {@link #withParams} gave), in the file's order. */
    public Map<String, String> params() {
        return params;
    }

    /** The {@code parallelism} the file sets; empty when it sets none (the runner's choice). */
    public Optional<Parallelism> parallelism() {
        return parallelism;
    }

    /** The {@code defaults}. */
    public Defaults defaults() {
        return defaults;
    }

    /** The tasks in the file's order. */
    public List<Task> tasks() {
        return tasks;
    }

    /** The task {@code key}, if there is one. */
    public Optional<Task> task(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /** The file it was read from (absolute). */
    public Path path() {
        return path;
    }

    /** The task's timeout: its own, else the workflow's default; empty for none. */
    public Optional<Duration> timeout(Task task) {
        return task.timeout().isPresent() ? task.timeout() : defaults.timeout();
    }

    /** The task's retries: its own, else the workflow's default; empty for the runner's. */
    public OptionalInt retries(Task task) {
        return task.retries().isPresent() ? task.retries() : defaults.retries();
    }

    /**
     * The tasks in an order where each comes after every task it depends on; among tasks free to go, the file's
     * order. (Running tasks with no path between them at the same time is the runner's business.)
     */
    public List<Task> topologicalOrder() {
        List<Task> out = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (out.size() < tasks.size()) {
            for (Task t : tasks) {
                if (!placed.contains(t.key()) && placed.containsAll(t.dependsOn())) {
                    out.add(t);
                    placed.add(t.key());
                    break;
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Every task {@code key} depends on, directly or not (not itself), in the file's order. */
    public Set<String> upstream(String key) {
        Set<String> seen = new LinkedHashSet<>();
        collectUpstream(require(key), seen);
        Set<String> ordered = new LinkedHashSet<>();
        tasks.stream().map(Task::key).filter(seen::contains).forEach(ordered::add);
        return Collections.unmodifiableSet(ordered);
    }

    private void collectUpstream(Task t, Set<String> seen) {
        for (String d : t.dependsOn()) {
            if (seen.add(d)) {
                collectUpstream(require(d), seen);
            }
        }
    }

    private Task require(String key) {
        Task t = byKey.get(key);
        if (t == null) {
            throw new IllegalArgumentException("workflow '" + name + "' has no task '" + key + "'");
        }
        return t;
    }

    /**
     * This workflow with some parameters set ({@code -p NAME=VALUE}); the others keep their values.
     *
     * @throws BadInputException for a name the file does not declare, with the nearest declared one
     */
    public Workflow withParams(Map<String, String> overrides) {
        if (overrides.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new LinkedHashMap<>(params);
        overrides.forEach((k, v) -> {
            if (!params.containsKey(k)) {
                throw new BadInputException("param '" + k + "' is not a param of workflow '" + name + "' (" + path + ":"
                        + nameLine + "); its params: " + (params.isEmpty() ? "none" : String.join(", ", params.keySet()))
                        + Names.suggest(k, params.keySet()));
            }
            merged.put(k, Objects.requireNonNull(v, "value of " + k));
        });
        return new Workflow(name, merged, parallelism, defaults, tasks, path, nameLine);
    }

    /**
     * This workflow with another {@code parallelism} (the command line's {@code --parallelism} wins over the file's).
     */
    public Workflow withParallelism(Parallelism parallelism) {
        return new Workflow(name, params, Optional.of(Objects.requireNonNull(parallelism, "parallelism")), defaults, tasks,
                path, nameLine);
    }

    /**
     * Loads every task's job: each {@code job} class through {@link Jobs#load} with {@code loader} (it must be a
     * {@link SparkJob} with a public no-argument constructor), each {@code sql} file through {@link Jobs#sql} (it must
     * exist and split into statements). Returns them by task key, in the file's order.
     *
     * @throws BadInputException naming the workflow file, the task's line and the problem
     */
    public Map<String, SparkJob> loadJobs(ClassLoader loader) {
        Map<String, SparkJob> out = new LinkedHashMap<>();
        for (Task t : tasks) {
            try {
                out.put(t.key(), t.job().isPresent() ? Jobs.load(t.job().get(), loader) : Jobs.sql(t.sql().orElseThrow()));
            } catch (BadInputException e) {
                throw new BadInputException(path + ":" + t.line() + ": task '" + t.key() + "': " + e.getMessage());
            }
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return "Workflow[" + name + ", " + tasks.size() + " tasks, " + path + "]";
    }
}
