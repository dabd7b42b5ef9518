package dev.fanout.cli.items;

import dev.fanout.BadInputException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a whole items file into parameter maps, validating everything before any run starts.
 * Every error names the file and the line (and the field where there is one).
 */
public final class ItemsFile {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ItemsFile() {}

    public static List<Map<String, String>> read(Path file, ItemFormat format) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw new BadInputException("items file '" + file + "' does not exist");
        } catch (CharacterCodingException e) {
            throw new BadInputException("items file '" + file + "' is not UTF-8 text");
        } catch (IOException e) {
            throw new BadInputException("cannot read items file '" + file + "': " + e.getMessage());
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Map<String, String>> items = switch (format) {
            case CSV -> csv(file, text);
            case JSONL -> jsonLines(file, text);
            case JSON -> jsonArray(file, text);
        };
        if (items.isEmpty()) {
            throw new BadInputException("items file '" + file + "' has no items");
        }
        return items;
    }

    // ---- CSV (RFC 4180: quoted fields may hold commas, quotes as "" and line breaks) ----

    private static List<Map<String, String>> csv(Path file, String text) {
        CsvRecords records = new CsvRecords(file, text);
        if (!records.hasNext()) {
            throw new BadInputException("items file '" + file + "' is empty; a CSV items file needs a header row");
        }
        CsvRecords.Record header = records.next();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < header.fields().size(); i++) {
            String name = header.fields().get(i).trim();
            if (name.isEmpty()) {
                throw new BadInputException(file + " line " + header.line() + ": header column " + (i + 1) + " is empty");
            }
            if (!seen.add(name)) {
                throw new BadInputException(file + " line " + header.line() + ": header column '" + name + "' appears twice");
            }
        }
        List<Map<String, String>> items = new ArrayList<>();
        while (records.hasNext()) {
            CsvRecords.Record r = records.next();
            if (r.fields().size() != header.fields().size()) {
                throw new BadInputException(file + " line " + r.line() + ": " + r.fields().size() + " field(s) but the header has "
                        + header.fields().size() + " (" + String.join(",", header.fields()) + ")");
            }
            Map<String, String> item = new LinkedHashMap<>();
            for (int i = 0; i < r.fields().size(); i++) {
                item.put(header.fields().get(i).trim(), r.fields().get(i));
            }
            items.add(Collections.unmodifiableMap(item));
        }
        return items;
    }

    /** Splits CSV text into records, remembering the line each starts on; blank lines are skipped. */
    private static final class CsvRecords implements Iterator<CsvRecords.Record> {
        record Record(int line, List<String> fields) {}

        private final Path file;
        private final String text;
        private int pos;
        private int line = 1;

        CsvRecords(Path file, String text) {
            this.file = file;
            this.text = text;
            skipBlankLines();
        }

        @Override
        public boolean hasNext() {
            return pos < text.length();
        }

        @Override
        public Record next() {
            int startLine = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean wasQuoted = false;
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (quoted) {
                    if (c == '"') {
                        if (pos < text.length() && text.charAt(pos) == '"') {
                            field.append('"');
                            pos++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        field.append(c);
                    }
                } else if (c == '"') {
                    if (field.length() > 0 || wasQuoted) {
                        throw new BadInputException(file + " line " + line + ": a quote inside an unquoted field"
                                + " (field " + (fields.size() + 1) + "); quote the whole field and double inner quotes");
                    }
                    quoted = true;
                    wasQuoted = true;
                } else if (c == ',') {
                    fields.add(field.toString());
                    field.setLength(0);
                    wasQuoted = false;
                } else if (c == '\n' || c == '\r') {
                    if (c == '\r' && pos < text.length() && text.charAt(pos) == '\n') {
                        pos++;
                    }
                    line++;
                    break;
                } else {
                    if (wasQuoted) {
                        throw new BadInputException(file + " line " + line + ": text after a closing quote in field " + (fields.size() + 1));
                    }
                    field.append(c);
                }
            }
            if (quoted) {
                throw new BadInputException(file + " line " + startLine + ": a quoted field is never closed");
            }
            fields.add(field.toString());
            skipBlankLines();
            return new Record(startLine, fields);
        }

        private void skipBlankLines() {
            while (pos < text.length() && (text.charAt(pos) == '\n' || text.charAt(pos) == '\r')) {
                if (text.charAt(pos) == '\n') {
                    line++;
                }
                pos++;
            }
        }
    }

    // ---- JSON Lines and JSON arrays: objects whose values are strings, numbers or booleans ----

    private static List<Map<String, String>> jsonLines(Path file, String text) {
        List<Map<String, String>> items = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String where = file + " line " + (i + 1);
            JsonNode node;
            try {
                node = JSON.readTree(lines[i]);
            } catch (JsonProcessingException e) {
                throw new BadInputException(where + ": malformed JSON: " + firstLine(e.getOriginalMessage()));
            }
            items.add(toItem(where, node));
        }
        return items;
    }

    private static List<Map<String, String>> jsonArray(Path file, String text) {
        List<Map<String, String>> items = new ArrayList<>();
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new BadInputException(file + ": expected a JSON array of objects ([{...}, ...]);"
                        + " for one object per line name the file .jsonl");
            }
            int element = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() == null) {
                    throw new BadInputException(file + ": the JSON array is never closed");
                }
                int line = p.currentTokenLocation().getLineNr();
                JsonNode node = p.readValueAsTree();
                items.add(toItem(file + " element " + element++ + " (line " + line + ")", node));
            }
            if (p.nextToken() != null) {
                throw new BadInputException(file + " line " + p.currentTokenLocation().getLineNr() + ": unexpected content after the array");
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new BadInputException(file + (at == null ? "" : " line " + at.getLineNr() + " column " + at.getColumnNr())
                    + ": malformed JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new BadInputException("cannot read items file '" + file + "': " + e.getMessage());
        }
        return items;
    }

    private static Map<String, String> toItem(String where, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new BadInputException(where + ": expected a JSON object ({\"name\": \"value\", ...}), got "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        Map<String, String> item = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode v = field.getValue();
            if (v.isNull()) {
                continue;
            }
            if (v.isContainerNode()) {
                throw new BadInputException(where + ": field '" + field.getKey() + "' is " + (v.isArray() ? "an array" : "an object")
                        + "; parameter values must be strings, numbers or booleans");
            }
            item.put(field.getKey(), v.asText());
        }
        return Collections.unmodifiableMap(item);
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
    }
}
