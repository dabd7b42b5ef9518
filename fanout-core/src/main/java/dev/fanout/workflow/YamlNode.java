package dev.fanout.workflow;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fanout.BadInputException;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML document as a tree that keeps the line of every key and value, read token by token with Jackson's YAML
 * parser (Jackson's own trees drop locations). Scalars keep their text and whether they were quoted strings, numbers,
 * booleans or null. A key given twice in one mapping is refused with both lines.
 */
final class YamlNode {
    enum Kind { MAP, LIST, SCALAR, NULL }

    /** A mapping's entry: the key's line and its value. */
    record Entry(String key, int line, YamlNode value) {}

    final Kind kind;
    final int line;
    final String text;
    final boolean string;
    final Map<String, Entry> entries;
    final List<YamlNode> items;

    private YamlNode(Kind kind, int line, String text, boolean string, Map<String, Entry> entries, List<YamlNode> items) {
        this.kind = kind;
        this.line = line;
        this.text = text;
        this.string = string;
        this.entries = entries;
        this.items = items;
    }

    /** Reads one document; null for an empty one. {@code file} is how messages name it. */
    static YamlNode read(Reader reader, String file) {
        try (JsonParser p = new YAMLFactory().createParser(reader)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            YamlNode root = value(p, file);
            if (p.nextToken() != null) {
                throw new BadInputException(file + ":" + line(p) + ": more than one YAML document; a workflow file holds one");
            }
            return root;
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
                String context = m.getContext() == null ? "" : " (" + m.getContext()
                        + (m.getContextMark() == null ? "" : " from line " + (m.getContextMark().getLine() + 1)) + ")";
                throw new BadInputException(file + ":" + (m.getProblemMark().getLine() + 1) + ": not valid YAML: "
                        + m.getProblem() + context);
            }
            int line = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
            String why = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("").trim();
            throw new BadInputException(file + ":" + line + ": not valid YAML: " + why);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot be read: " + e.getMessage());
        }
    }

    private static YamlNode value(JsonParser p, String file) throws IOException {
        int line = line(p);
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Entry> entries = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int keyLine = line(p);
                    p.nextToken();
                    YamlNode v = value(p, file);
                    Entry before = entries.putIfAbsent(key, new Entry(key, keyLine, v));
                    if (before != null) {
                        throw new BadInputException(file + ":" + keyLine + ": duplicate key '" + key + "' (first on line "
                                + before.line() + ")");
                    }
                }
                return new YamlNode(Kind.MAP, line, null, false, Collections.unmodifiableMap(entries), List.of());
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(value(p, file));
                }
                return new YamlNode(Kind.LIST, line, null, false, Map.of(), List.copyOf(items));
            }
            case VALUE_NULL -> {
                return new YamlNode(Kind.NULL, line, null, false, Map.of(), List.of());
            }
            case VALUE_STRING -> {
                return new YamlNode(Kind.SCALAR, line, p.getText(), true, Map.of(), List.of());
            }
            default -> {
                return new YamlNode(Kind.SCALAR, line, p.getText(), false, Map.of(), List.of());
            }
        }
    }

    private static int line(JsonParser p) {
        return Math.max(1, p.currentTokenLocation().getLineNr());
    }

    /** This node as plain Java: a String, a Map or a List (null stays null). */
    Object toJava() {
        return switch (kind) {
            case SCALAR -> text;
            case NULL -> null;
            case LIST -> Collections.unmodifiableList(items.stream().map(YamlNode::toJava).toList());
            case MAP -> {
                Map<String, Object> m = new LinkedHashMap<>();
                entries.values().forEach(e -> m.put(e.key(), e.value().toJava()));
                yield Collections.unmodifiableMap(m);
            }
        };
    }

    String describe() {
        return switch (kind) {
            case MAP -> "a mapping";
            case LIST -> "a list";
            case NULL -> "empty";
            case SCALAR -> "'" + text + "'";
        };
    }
}
