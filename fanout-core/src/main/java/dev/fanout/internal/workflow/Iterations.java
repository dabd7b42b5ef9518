package dev.fanout.internal.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fanout.BadInputException;
import dev.fanout.Items;
import dev.fanout.workflow.Loop;
import dev.fanout.workflow.Task;
import dev.fanout.workflow.Template;
import dev.fanout.workflow.Workflow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task's iterations: its loops expanded, outer loop first, each iteration with its path (the item's position in
 * each loop) and its parameters rendered. References are rendered here: {@code {{params.NAME}}} from the workflow's
 * parameters, {@code {{tasks.KEY.value[.FIELD]}}} from the upstream tasks' values, {@code {{VAR[.FIELD]}}} from the
 * loop items. A loop item is a JSON value: a text renders as itself, anything else as its JSON.
 */
final class Iterations {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * One run of a task: its position in each loop (empty without loops), its parameters, and its loop variables for
     * people ({@code region=r1 day=2}).
     */
    record Iteration(int[] path, Map<String, String> params, String label) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Iteration i && Arrays.equals(i.path, path) && i.params.equals(params);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(path) * 31 + params.hashCode();
        }
    }

    /** A task's iterations could not be made (an upstream value that is not a JSON array, a missing field). */
    static final class ExpansionException extends RuntimeException {
        ExpansionException(String message) {
            super(message);
        }
    }

    private final Workflow workflow;
    private final Task task;
    private final Map<String, String> values;

    /**
     * @param values the values of the tasks upstream of {@code task}, by key
     */
    Iterations(Workflow workflow, Task task, Map<String, String> values) {
        this.workflow = workflow;
        this.task = task;
        this.values = values;
    }

    /** Every iteration, in item order (the last loop varying fastest). */
    List<Iteration> expand() {
        List<Iteration> out = new ArrayList<>();
        expand(0, new int[task.forEach().size()], new LinkedHashMap<>(), out);
        return out;
    }

    private void expand(int level, int[] path, Map<String, JsonNode> vars, List<Iteration> out) {
        if (level == task.forEach().size()) {
            Map<String, String> params = new LinkedHashMap<>();
            task.params().forEach((name, template) -> params.put(name, render(template, vars, "param '" + name + "'")));
            StringBuilder label = new StringBuilder();
            vars.forEach((name, item) -> {
                String v = text(item);
                label.append(label.length() == 0 ? "" : " ").append(name).append('=')
                        .append(v.length() > 60 ? v.substring(0, 57) + "..." : v);
            });
            out.add(new Iteration(path.clone(), params, label.toString()));
            return;
        }
        Loop loop = task.forEach().get(level);
        List<JsonNode> items = items(loop, vars);
        for (int i = 0; i < items.size(); i++) {
            path[level] = i;
            vars.put(loop.as(), items.get(i));
            expand(level + 1, path, vars, out);
        }
        vars.remove(loop.as());
    }

    private List<JsonNode> items(Loop loop, Map<String, JsonNode> vars) {
        String where = "loop '" + loop.as() + "' (line " + loop.line() + ")";
        if (loop.items() instanceof Loop.Values v) {
            return v.values().stream().map(x -> x instanceof String s ? (JsonNode) TextNode.valueOf(s) : (JsonNode) JSON.valueToTree(x)).toList();
        }
        if (loop.items() instanceof Loop.Range r) {
            try {
                return Items.parseRange(loop.as() + "=" + r.spec()).toList().stream()
                        .map(m -> (JsonNode) TextNode.valueOf(m.get(loop.as()))).toList();
            } catch (BadInputException e) {
                throw new ExpansionException(where + ": " + e.getMessage());
            }
        }
        Template t = ((Loop.Reference) loop.items()).template();
        String text = render(t, vars, where + " items");
        JsonNode array;
        try {
            array = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            array = null;
        }
        if (array == null || !array.isArray()) {
            throw new ExpansionException(where + ": items '" + t.text() + "' must give a JSON array, got "
                    + abbreviate(text));
        }
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private String render(Template template, Map<String, JsonNode> vars, String what) {
        return template.render(ref -> {
            if (ref instanceof Template.ParamRef p) {
                String v = workflow.params().get(p.name());
                if (v == null) {
                    throw new ExpansionException(what + ": no workflow param '" + p.name() + "'");
                }
                return v;
            }
            if (ref instanceof Template.TaskRef t) {
                String v = values.get(t.key());
                if (t.field().isEmpty()) {
                    return v == null ? "" : v;
                }
                return field(parse(v, "the value of task '" + t.key() + "'", what), t.field().get(),
                        "the value of task '" + t.key() + "'", what);
            }
            Template.VarRef r = (Template.VarRef) ref;
            JsonNode item = vars.get(r.name());
            if (item == null) {
                throw new ExpansionException(what + ": no loop variable '" + r.name() + "'");
            }
            return r.field().isEmpty() ? text(item) : field(item, r.field().get(), "item " + abbreviate(item.toString()) + " of '" + r.name() + "'", what);
        });
    }

    private static JsonNode parse(String value, String of, String what) {
        try {
            JsonNode n = value == null ? null : JSON.readTree(value);
            if (n != null && n.isObject()) {
                return n;
            }
        } catch (JsonProcessingException e) {
            // said below
        }
        throw new ExpansionException(what + ": " + of + " is not a JSON object: " + abbreviate(value));
    }

    private static String field(JsonNode node, String field, String of, String what) {
        if (!node.isObject()) {
            throw new ExpansionException(what + ": " + of + " is not a JSON object, so it has no field '" + field + "'");
        }
        JsonNode v = node.get(field);
        if (v == null) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            throw new ExpansionException(what + ": " + of + " has no field '" + field + "'; its fields: " + names);
        }
        return text(v);
    }

    /** A JSON value as a parameter: a text as itself, null as empty, anything else as its JSON. */
    static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : node.isNull() ? "" : node.toString();
    }

    /** An exit value as an element of a loop task's value: its JSON when it is JSON, else a JSON string. */
    static JsonNode element(String exitValue) {
        if (exitValue == null) {
            return com.fasterxml.jackson.databind.node.NullNode.getInstance();
        }
        String v = exitValue.strip();
        if (!v.isEmpty() && "{[\"-0123456789tfn".indexOf(v.charAt(0)) >= 0) {
            try {
                return JSON.readTree(v);
            } catch (JsonProcessingException e) {
                // not JSON: a text
            }
        }
        return TextNode.valueOf(exitValue);
    }

    /** The value of a task with loops: its iterations' exit values as a JSON array, in item order. */
    static String arrayOf(List<String> exitValues) {
        var array = JSON.createArrayNode();
        exitValues.forEach(v -> array.add(element(v)));
        return array.toString();
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "nothing (null)";
        }
        return s.length() > 120 ? "'" + s.substring(0, 117) + "...'" : "'" + s + "'";
    }
}
