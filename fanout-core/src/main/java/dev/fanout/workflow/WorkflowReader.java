package dev.fanout.workflow;

import dev.fanout.BadInputException;
import dev.fanout.DurationFormat;
import dev.fanout.Items;
import dev.fanout.Parallelism;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a workflow file into a {@link Workflow} in three passes over the located YAML tree: the shape of every
 * entry (keys, types, values, template syntax), then the graph (unknown {@code depends_on}, cycles), then what each
 * reference names (it needs the whole graph: a task may only use the value of a task upstream of it). The first
 * problem found is thrown, as {@code FILE:LINE: message}.
 */
final class WorkflowReader {
    private static final List<String> TOP = List.of("name", "params", "parallelism", "defaults", "tasks");
    private static final List<String> DEFAULTS = List.of("timeout", "retries");
    private static final List<String> TASK =
            List.of("key", "depends_on", "job", "sql", "params", "timeout", "retries", "run_if", "for_each");
    private static final List<String> LOOP = List.of("items", "as", "concurrency");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern CLASS_NAME =
            Pattern.compile("\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

    /** A template in a task and where: its line, and which loop's items it is (-1: a parameter). */
    private record Use(Template template, int line, int loop) {}

    private final String file;
    private final Path path;
    private final Map<String, List<Use>> uses = new HashMap<>();
    private final Map<String, Map<String, Integer>> dependsOnLines = new HashMap<>();

    private WorkflowReader(Path file) {
        this.file = file.toString();
        this.path = file.toAbsolutePath().normalize();
    }

    static Workflow read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("workflow file '" + file + "' " + (Files.exists(file) ? "is not a file" : "does not exist"));
        }
        YamlNode root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = YamlNode.read(r, file.toString());
        } catch (CharacterCodingException e) {
            throw new BadInputException("workflow file '" + file + "' is not UTF-8 text");
        } catch (IOException e) {
            throw new BadInputException("workflow file '" + file + "' cannot be read: " + e.getMessage());
        }
        return new WorkflowReader(file).workflow(root);
    }

    private BadInputException bad(int line, String message) {
        return new BadInputException(file + ":" + line + ": " + message);
    }

    // ---- pass 1: shape ----

    private Workflow workflow(YamlNode root) {
        if (root == null || root.kind == YamlNode.Kind.NULL) {
            throw bad(1, "the file is empty; a workflow needs at least 'name' and 'tasks'");
        }
        if (root.kind != YamlNode.Kind.MAP) {
            throw bad(root.line, "a workflow file is a mapping with 'name' and 'tasks', got " + root.describe());
        }
        knownKeys(root, TOP, "at the top level");
        YamlNode.Entry nameEntry = required(root, "name", "the workflow has no 'name'");
        String name = text(nameEntry, "name");

        Map<String, String> params = new LinkedHashMap<>();
        YamlNode.Entry paramsEntry = root.entries.get("params");
        if (paramsEntry != null) {
            for (YamlNode.Entry p : map(paramsEntry, "params").entries.values()) {
                if (!NAME.matcher(p.key()).matches()) {
                    throw bad(p.line(), "param name '" + p.key() + "' may hold only letters, digits, _ and -");
                }
                params.put(p.key(), text(p, "param '" + p.key() + "'", true));
            }
        }

        Optional<Parallelism> parallelism = Optional.empty();
        YamlNode.Entry par = root.entries.get("parallelism");
        if (par != null) {
            String text = text(par, "parallelism");
            try {
                parallelism = Optional.of(Parallelism.parse(text));
            } catch (IllegalArgumentException e) {
                throw bad(par.line(), "parallelism '" + text + "': a number of at least 1 or 'auto'");
            }
        }

        Workflow.Defaults defaults = Workflow.Defaults.none();
        YamlNode.Entry def = root.entries.get("defaults");
        if (def != null) {
            YamlNode d = map(def, "defaults");
            knownKeys(d, DEFAULTS, "in defaults");
            defaults = new Workflow.Defaults(duration(d.entries.get("timeout"), "defaults"),
                    count(d.entries.get("retries"), "defaults: retries", 0));
        }

        YamlNode.Entry tasksEntry = required(root, "tasks", "the workflow has no 'tasks'");
        if (tasksEntry.value().kind != YamlNode.Kind.LIST) {
            throw bad(tasksEntry.line(), "'tasks' must be a list of tasks ('- key: …'), got " + tasksEntry.value().describe());
        }
        if (tasksEntry.value().items.isEmpty()) {
            throw bad(tasksEntry.line(), "'tasks' is empty; a workflow needs at least one task");
        }
        List<Task> tasks = new ArrayList<>();
        Map<String, Task> byKey = new LinkedHashMap<>();
        int index = 0;
        for (YamlNode n : tasksEntry.value().items) {
            index++;
            Task t = task(n, index, byKey);
            byKey.put(t.key(), t);
            tasks.add(t);
        }

        checkGraph(tasks, byKey);
        for (Task t : tasks) {
            checkReferences(t, params, byKey);
        }
        return new Workflow(name, params, parallelism, defaults, tasks, path, nameEntry.line());
    }

    private Task task(YamlNode n, int index, Map<String, Task> before) {
        if (n.kind != YamlNode.Kind.MAP) {
            throw bad(n.line, "task " + index + " must be a mapping ('- key: …'), got " + n.describe());
        }
        YamlNode.Entry keyEntry = n.entries.get("key");
        if (keyEntry == null) {
            knownKeys(n, TASK, "in task " + index);
            throw bad(n.line, "task " + index + " has no 'key' (its unique name)");
        }
        String key = text(keyEntry, "key");
        if (!NAME.matcher(key).matches()) {
            throw bad(keyEntry.line(), "task key '" + key + "' may hold only letters, digits, _ and -");
        }
        if (before.containsKey(key)) {
            throw bad(keyEntry.line(), "duplicate task key '" + key + "' (first on line " + before.get(key).line() + ")");
        }
        String where = "task '" + key + "'";
        knownKeys(n, TASK, "in " + where);

        YamlNode.Entry jobEntry = n.entries.get("job");
        YamlNode.Entry sqlEntry = n.entries.get("sql");
        if (jobEntry != null && sqlEntry != null) {
            throw bad(sqlEntry.line(), where + " has both 'job' (line " + jobEntry.line() + ") and 'sql'; give one of them");
        }
        if (jobEntry == null && sqlEntry == null) {
            throw bad(n.line, where + " needs 'job' (a SparkJob class) or 'sql' (a .sql file)");
        }
        Optional<String> job = Optional.empty();
        Optional<Path> sql = Optional.empty();
        if (jobEntry != null) {
            String cls = text(jobEntry, where + ": job");
            if (cls.toLowerCase(java.util.Locale.ROOT).endsWith(".sql")) {
                throw bad(jobEntry.line(), where + ": job '" + cls + "' is a SQL file; write sql: " + cls);
            }
            if (!CLASS_NAME.matcher(cls).matches()) {
                throw bad(jobEntry.line(), where + ": job '" + cls + "' is not a class name (e.g. com.example.DailyMetrics)");
            }
            job = Optional.of(cls);
        } else {
            String rel = text(sqlEntry, where + ": sql");
            try {
                sql = Optional.of(path.getParent().resolve(rel).normalize());
            } catch (InvalidPathException e) {
                throw bad(sqlEntry.line(), where + ": sql '" + rel + "' is not a path: " + e.getReason());
            }
        }

        Map<String, Integer> deps = new LinkedHashMap<>();
        YamlNode.Entry depEntry = n.entries.get("depends_on");
        if (depEntry != null) {
            List<YamlNode> list = switch (depEntry.value().kind) {
                case LIST -> depEntry.value().items;
                case SCALAR -> List.of(depEntry.value());
                default -> throw bad(depEntry.line(), where + ": depends_on must be a list of task keys, e.g. [a, b]");
            };
            for (YamlNode d : list) {
                if (d.kind != YamlNode.Kind.SCALAR) {
                    throw bad(d.line, where + ": depends_on must list task keys, got " + d.describe());
                }
                if (deps.putIfAbsent(d.text, d.line) != null) {
                    throw bad(d.line, where + ": depends_on lists '" + d.text + "' twice");
                }
            }
        }
        dependsOnLines.put(key, deps);

        List<Use> used = new ArrayList<>();
        Map<String, Template> params = new LinkedHashMap<>();
        YamlNode.Entry paramsEntry = n.entries.get("params");
        if (paramsEntry != null) {
            for (YamlNode.Entry p : map(paramsEntry, where + ": params").entries.values()) {
                String value = text(p, where + ": param '" + p.key() + "'", true);
                Template t = template(value, p.value().line, where + ": param '" + p.key() + "'");
                params.put(p.key(), t);
                used.add(new Use(t, p.value().line, -1));
            }
        }

        Optional<Duration> timeout = duration(n.entries.get("timeout"), where);
        OptionalInt retries = count(n.entries.get("retries"), where + ": retries", 0);
        RunIf runIf = RunIf.ALL_SUCCESS;
        YamlNode.Entry runIfEntry = n.entries.get("run_if");
        if (runIfEntry != null) {
            String text = text(runIfEntry, where + ": run_if");
            List<String> all = java.util.Arrays.stream(RunIf.values()).map(RunIf::spec).toList();
            runIf = RunIf.parse(text).orElseThrow(() -> bad(runIfEntry.line(), where + ": run_if '" + text
                    + "' is not one of " + String.join(", ", all) + Names.suggest(text, all)));
        }

        List<Loop> loops = new ArrayList<>();
        YamlNode.Entry forEach = n.entries.get("for_each");
        if (forEach != null) {
            if (forEach.value().kind != YamlNode.Kind.LIST || forEach.value().items.isEmpty()) {
                throw bad(forEach.line(), where + ": for_each must be a list of loops ('- items: …  as: NAME'), got "
                        + forEach.value().describe());
            }
            Map<String, Integer> vars = new HashMap<>();
            for (YamlNode l : forEach.value().items) {
                Loop loop = loop(l, where, loops.size(), used);
                Integer first = vars.putIfAbsent(loop.as(), loop.line());
                if (first != null) {
                    throw bad(loop.line(), where + ": two loops bind '" + loop.as() + "' (the other on line " + first + ")");
                }
                loops.add(loop);
            }
        }
        uses.put(key, used);
        return new Task(key, List.copyOf(deps.keySet()), job, sql, params, timeout, retries, runIf, loops, n.line);
    }

    private Loop loop(YamlNode l, String where, int index, List<Use> used) {
        String in = where + ": loop " + (index + 1);
        if (l.kind != YamlNode.Kind.MAP) {
            throw bad(l.line, in + " must be a mapping ('- items: …  as: NAME'), got " + l.describe());
        }
        knownKeys(l, LOOP, "in a for_each loop of " + where);
        YamlNode.Entry asEntry = required(l, "as", in + " has no 'as' (the name of its variable)");
        String as = text(asEntry, in + ": as");
        if (!NAME.matcher(as).matches() || as.equals("params") || as.equals("tasks")) {
            throw bad(asEntry.line(), in + ": as '" + as + "' must be letters, digits, _ and -, and not 'params' or 'tasks'");
        }
        YamlNode.Entry itemsEntry = required(l, "items", in + " (" + as + ") has no 'items': give a reference such as"
                + " \"{{tasks.KEY.value}}\", a list, or {range: \"FROM..TO\"}");
        YamlNode items = itemsEntry.value();
        String of = where + ": items of loop '" + as + "'";
        Loop.Items source = switch (items.kind) {
            case NULL -> throw bad(itemsEntry.line(), of + " are empty");
            case SCALAR -> {
                Template t = template(items.text, items.line, of);
                if (t.isLiteral()) {
                    throw bad(items.line, of + ": '" + items.text + "' is no reference; give \"{{tasks.KEY.value}}\","
                            + " \"{{params.NAME}}\" or an earlier loop's \"{{VAR.FIELD}}\" (a JSON array), a list, or {range: \"FROM..TO\"}");
                }
                used.add(new Use(t, items.line, index));
                yield new Loop.Reference(t);
            }
            case LIST -> {
                if (items.items.isEmpty()) {
                    throw bad(items.line, of + " are an empty list");
                }
                for (YamlNode v : items.items) {
                    if (v.kind == YamlNode.Kind.NULL) {
                        throw bad(v.line, of + ": an item is empty");
                    }
                    if (v.kind == YamlNode.Kind.SCALAR && v.text.contains("{{")) {
                        throw bad(v.line, of + ": references are not expanded inside a list of items ('" + v.text
                                + "'); make the whole items one reference");
                    }
                }
                yield new Loop.Values(items.items.stream().map(YamlNode::toJava).toList());
            }
            case MAP -> {
                knownKeys(items, List.of("range"), "in " + of);
                YamlNode.Entry range = required(items, "range", of + ": a mapping must be {range: \"FROM..TO[:STEP]\"}");
                String spec = text(range, of + ": range");
                try {
                    Items.parseRange(as + "=" + spec);
                } catch (IllegalArgumentException e) {
                    String why = e.getMessage();
                    int cut = why.indexOf("': ");
                    throw bad(range.line(), of + ": range '" + spec + "': " + (cut >= 0 ? why.substring(cut + 3) : why));
                }
                yield new Loop.Range(spec.trim());
            }
        };
        OptionalInt concurrency = count(l.entries.get("concurrency"), in + " (" + as + "): concurrency", 1);
        return new Loop(source, as, concurrency, l.line);
    }

    // ---- pass 2: the graph ----

    private void checkGraph(List<Task> tasks, Map<String, Task> byKey) {
        for (Task t : tasks) {
            dependsOnLines.get(t.key()).forEach((d, line) -> {
                if (!byKey.containsKey(d)) {
                    throw bad(line, "task '" + t.key() + "' depends on '" + d + "', which is no task of this workflow"
                            + Names.suggest(d, byKey.keySet()));
                }
            });
        }
        Map<String, Integer> state = new HashMap<>(); // absent: not seen, 1: on the path, 2: done
        for (Task t : tasks) {
            cycleFrom(t.key(), byKey, state, new ArrayList<>());
        }
    }

    private void cycleFrom(String key, Map<String, Task> byKey, Map<String, Integer> state, List<String> pathSoFar) {
        Integer s = state.get(key);
        if (s != null && s == 2) {
            return;
        }
        state.put(key, 1);
        pathSoFar.add(key);
        for (String d : byKey.get(key).dependsOn()) {
            if (Integer.valueOf(1).equals(state.get(d))) {
                List<String> cycle = new ArrayList<>(pathSoFar.subList(pathSoFar.indexOf(d), pathSoFar.size()));
                cycle.add(d);
                throw bad(dependsOnLines.get(key).get(d), "the tasks depend on each other in a cycle: "
                        + String.join(" -> ", cycle) + " (each depends on the next)");
            }
            cycleFrom(d, byKey, state, pathSoFar);
        }
        pathSoFar.remove(pathSoFar.size() - 1);
        state.put(key, 2);
    }

    // ---- pass 3: what references name ----

    private void checkReferences(Task t, Map<String, String> params, Map<String, Task> byKey) {
        String where = "task '" + t.key() + "'";
        Set<String> upstream = new LinkedHashSet<>();
        collectUpstream(t, byKey, upstream);
        List<String> vars = t.forEach().stream().map(Loop::as).toList();
        for (Use use : uses.get(t.key())) {
            for (Template.Reference ref : use.template().references()) {
                String shown = "{{" + ref.expression() + "}}";
                if (ref instanceof Template.ParamRef p) {
                    if (!params.containsKey(p.name())) {
                        throw bad(use.line(), where + ": " + shown + " names no param of the workflow; its params: "
                                + (params.isEmpty() ? "none" : String.join(", ", params.keySet()))
                                + Names.suggest(p.name(), params.keySet()));
                    }
                } else if (ref instanceof Template.TaskRef r) {
                    if (r.key().equals(t.key())) {
                        throw bad(use.line(), where + ": " + shown + " is the task's own value, which it does not have yet");
                    }
                    if (!byKey.containsKey(r.key())) {
                        throw bad(use.line(), where + ": " + shown + " names no task of this workflow"
                                + Names.suggest(r.key(), byKey.keySet()));
                    }
                    if (!upstream.contains(r.key())) {
                        throw bad(use.line(), where + ": " + shown + " is the value of task '" + r.key() + "', which "
                                + where + " does not depend on (directly or not); add '" + r.key() + "' to its depends_on");
                    }
                } else if (ref instanceof Template.VarRef v) {
                    int defined = vars.indexOf(v.name());
                    if (defined < 0) {
                        throw bad(use.line(), where + ": " + shown + " is no loop variable of the task ("
                                + (vars.isEmpty() ? "it has no for_each" : "its loops bind " + String.join(", ", vars))
                                + "); a param is {{params.NAME}}, a task's value {{tasks.KEY.value}}"
                                + Names.suggest(v.name(), vars));
                    }
                    if (use.loop() >= 0 && defined >= use.loop()) {
                        throw bad(use.line(), where + ": the items of loop '" + vars.get(use.loop()) + "' use " + shown
                                + ", " + (defined == use.loop() ? "its own variable" : "the variable of a later loop")
                                + "; a loop's items may use only the variables of the loops before it");
                    }
                }
            }
        }
    }

    private static void collectUpstream(Task t, Map<String, Task> byKey, Set<String> seen) {
        for (String d : t.dependsOn()) {
            if (seen.add(d)) {
                collectUpstream(byKey.get(d), byKey, seen);
            }
        }
    }

    // ---- values ----

    private void knownKeys(YamlNode map, List<String> known, String where) {
        for (YamlNode.Entry e : map.entries.values()) {
            if (!known.contains(e.key())) {
                String hint = Names.suggest(e.key(), known);
                throw bad(e.line(), "unknown key '" + e.key() + "' " + where
                        + (hint.isEmpty() ? "; known keys: " + String.join(", ", known) : hint));
            }
        }
    }

    private YamlNode.Entry required(YamlNode map, String key, String message) {
        YamlNode.Entry e = map.entries.get(key);
        if (e == null) {
            throw bad(map.line, message);
        }
        return e;
    }

    private YamlNode map(YamlNode.Entry e, String what) {
        if (e.value().kind != YamlNode.Kind.MAP) {
            throw bad(e.line(), what + " must be a mapping (NAME: value), got " + e.value().describe());
        }
        return e.value();
    }

    private String text(YamlNode.Entry e, String what) {
        return text(e, what, false);
    }

    private String text(YamlNode.Entry e, String what, boolean emptyAllowed) {
        YamlNode v = e.value();
        if (v.kind == YamlNode.Kind.NULL) {
            throw bad(e.line(), what + " has no value" + (emptyAllowed ? " (write \"\" for an empty text)" : ""));
        }
        if (v.kind != YamlNode.Kind.SCALAR) {
            throw bad(e.line(), what + " must be a text, got " + v.describe()
                    + (emptyAllowed ? " (write structured values as JSON text in quotes)" : ""));
        }
        if (!emptyAllowed && v.text.isBlank()) {
            throw bad(e.line(), what + " is empty");
        }
        return v.text;
    }

    private Template template(String text, int line, String what) {
        try {
            return Template.parse(text);
        } catch (IllegalArgumentException ex) {
            throw bad(line, what + ": " + ex.getMessage());
        }
    }

    private Optional<Duration> duration(YamlNode.Entry e, String where) {
        if (e == null) {
            return Optional.empty();
        }
        String text = text(e, where + ": timeout");
        Duration d;
        try {
            d = DurationFormat.parse(text);
        } catch (IllegalArgumentException ex) {
            throw bad(e.line(), where + ": timeout " + ex.getMessage());
        }
        if (d.isZero() || d.isNegative()) {
            throw bad(e.line(), where + ": timeout '" + text + "' must be more than zero");
        }
        return Optional.of(d);
    }

    private OptionalInt count(YamlNode.Entry e, String what, int min) {
        if (e == null) {
            return OptionalInt.empty();
        }
        String text = text(e, what);
        int n;
        try {
            n = Integer.parseInt(text.trim());
        } catch (NumberFormatException ex) {
            throw bad(e.line(), what + " '" + text + "' is not a whole number");
        }
        if (n < min) {
            throw bad(e.line(), what + " is " + n + "; it must be at least " + min);
        }
        return OptionalInt.of(n);
    }
}
