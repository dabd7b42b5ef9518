package dev.fanout.workflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A text with {@code {{…}}} references, parsed once into literal parts and references: {@code {{params.NAME}}} (a
 * workflow parameter), {@code {{tasks.KEY.value}}} or {@code {{tasks.KEY.value.FIELD}}} (an upstream task's exit
 * value, or a field of it when it is a JSON object), {@code {{VAR}}} or {@code {{VAR.FIELD}}} (a loop variable, or a
 * field of an item that is a JSON object). Spaces inside the braces are ignored. There is no escape for a literal
 * {@code {{}: a value needing one is not a workflow value. {@link #render} puts the values in; what a reference
 * names is checked by {@link Workflow#read}, not here.
 */
public final class Template {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    /** A piece of a template: literal text or a reference. */
    public sealed interface Part permits Text, Reference {}

    /** Literal text. */
    public record Text(String text) implements Part {}

    /** A {@code {{…}}} reference. */
    public sealed interface Reference extends Part permits ParamRef, TaskRef, VarRef {
        /** As written between the braces, without spaces: {@code params.batch}. */
        String expression();
    }

    /** {@code {{params.NAME}}}. */
    public record ParamRef(String name) implements Reference {
        @Override
        public String expression() {
            return "params." + name;
        }
    }

    /** {@code {{tasks.KEY.value}}} or {@code {{tasks.KEY.value.FIELD}}}. */
    public record TaskRef(String key, Optional<String> field) implements Reference {
        @Override
        public String expression() {
            return "tasks." + key + ".value" + field.map(f -> "." + f).orElse("");
        }
    }

    /** {@code {{VAR}}} or {@code {{VAR.FIELD}}}: a loop variable. */
    public record VarRef(String name, Optional<String> field) implements Reference {
        @Override
        public String expression() {
            return name + field.map(f -> "." + f).orElse("");
        }
    }

    private final String text;
    private final List<Part> parts;

    private Template(String text, List<Part> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the bad reference: an unclosed {@code {{}, an empty one, or one that is
     *     none of the forms above
     */
    public static Template parse(String text) {
        Objects.requireNonNull(text, "text");
        List<Part> parts = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int open = text.indexOf("{{", at);
            if (open < 0) {
                parts.add(new Text(text.substring(at)));
                break;
            }
            if (open > at) {
                parts.add(new Text(text.substring(at, open)));
            }
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("'{{' without '}}' in '" + text + "'");
            }
            parts.add(reference(text.substring(open + 2, close).trim()));
            at = close + 2;
        }
        return new Template(text, parts);
    }

    private static Reference reference(String expr) {
        String form = "use {{params.NAME}}, {{tasks.KEY.value}}, {{tasks.KEY.value.FIELD}}, {{VAR}} or {{VAR.FIELD}}";
        if (expr.isEmpty()) {
            throw new IllegalArgumentException("empty reference '{{}}'; " + form);
        }
        String[] s = expr.split("\\.", -1);
        for (String segment : s) {
            if (!NAME.matcher(segment).matches()) {
                throw new IllegalArgumentException("bad reference '{{" + expr + "}}': names are letters, digits, _ and -; " + form);
            }
        }
        if (s[0].equals("params")) {
            if (s.length != 2) {
                throw new IllegalArgumentException("bad reference '{{" + expr + "}}'; use {{params.NAME}}");
            }
            return new ParamRef(s[1]);
        }
        if (s[0].equals("tasks")) {
            if ((s.length != 3 && s.length != 4) || !s[2].equals("value")) {
                throw new IllegalArgumentException("bad reference '{{" + expr + "}}'; use {{tasks.KEY.value}} or {{tasks.KEY.value.FIELD}}");
            }
            return new TaskRef(s[1], s.length == 4 ? Optional.of(s[3]) : Optional.empty());
        }
        if (s.length > 2) {
            throw new IllegalArgumentException("bad reference '{{" + expr + "}}'; " + form);
        }
        return new VarRef(s[0], s.length == 2 ? Optional.of(s[1]) : Optional.empty());
    }

    /** The text as written. */
    public String text() {
        return text;
    }

    /** Literal parts and references, in order. */
    public List<Part> parts() {
        return parts;
    }

    /** The references, in order. */
    public List<Reference> references() {
        return parts.stream().filter(p -> p instanceof Reference).map(p -> (Reference) p).toList();
    }

    /** Whether the text holds no reference. */
    public boolean isLiteral() {
        return parts.stream().noneMatch(p -> p instanceof Reference);
    }

    /** The text with each reference replaced by {@code value.apply(reference)}. */
    public String render(Function<Reference, String> value) {
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            out.append(p instanceof Text t ? t.text() : value.apply((Reference) p));
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Template t && t.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
