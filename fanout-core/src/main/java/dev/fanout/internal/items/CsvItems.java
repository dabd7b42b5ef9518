package dev.fanout.internal.items;

import dev.fanout.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CSV items file: a header row naming the parameters, then one item per record (RFC 4180: a quoted field may hold
 * commas, quotes written as {@code ""}, and line breaks; blank lines are skipped; lines end in LF, CRLF or CR).
 *
 * <p>An empty unquoted cell means the item does not give that parameter, as a JSON {@code null} does, so the job's
 * default applies; a quoted empty cell ({@code ""}) is the empty string. This is PostgreSQL's {@code COPY ... CSV}
 * convention, and the only way a CSV file can say "absent" and "empty" apart.
 */
final class CsvItems extends ItemFile {
    private static final int EOF = -1;

    private List<String> header;
    private int peeked = -2;
    private int line = 1;

    CsvItems(Path file) {
        super(file);
    }

    private record Record(int line, List<String> fields, List<Boolean> quoted) {}

    @Override
    protected Map<String, String> read(BufferedReader in) throws IOException {
        if (header == null) {
            Record h = record(in);
            if (h == null) {
                throw new BadInputException("items file '" + file + "' is empty; a CSV items file needs a header row");
            }
            header = header(h);
        }
        Record r = record(in);
        if (r == null) {
            return null;
        }
        if (r.fields().size() != header.size()) {
            throw new BadInputException(file + " line " + r.line() + ": " + r.fields().size() + " field(s) but the header has "
                    + header.size() + " (" + String.join(",", header) + ")");
        }
        Map<String, String> item = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String value = r.fields().get(i);
            if (!value.isEmpty() || r.quoted().get(i)) {
                item.put(header.get(i), value);
            }
        }
        return Collections.unmodifiableMap(item);
    }

    private List<String> header(Record h) {
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < h.fields().size(); i++) {
            String name = h.fields().get(i).trim();
            if (name.isEmpty()) {
                throw new BadInputException(file + " line " + h.line() + ": header column " + (i + 1) + " is empty");
            }
            if (!seen.add(name)) {
                throw new BadInputException(file + " line " + h.line() + ": header column '" + name + "' appears twice");
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    /** The next record, or null at the end; blank lines before it are skipped. */
    private Record record(BufferedReader in) throws IOException {
        while (peek(in) == '\n' || peek(in) == '\r') {
            endOfLine(in);
        }
        if (peek(in) == EOF) {
            return null;
        }
        int startLine = line;
        List<String> fields = new ArrayList<>();
        List<Boolean> quotedFields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        while (true) {
            int c = peek(in);
            if (quoted) {
                if (c == EOF) {
                    throw new BadInputException(file + " line " + startLine + ": a quoted field is never closed");
                }
                take(in);
                if (c == '"') {
                    if (peek(in) == '"') {
                        take(in);
                        field.append('"');
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n' || (c == '\r' && peek(in) != '\n')) {
                        line++;
                    }
                    field.append((char) c);
                }
            } else if (c == EOF || c == '\n' || c == '\r') {
                if (c != EOF) {
                    endOfLine(in);
                }
                fields.add(field.toString());
                quotedFields.add(wasQuoted);
                return new Record(startLine, fields, quotedFields);
            } else if (c == '"') {
                if (field.length() > 0 || wasQuoted) {
                    throw new BadInputException(file + " line " + line + ": a quote inside an unquoted field"
                            + " (field " + (fields.size() + 1) + "); quote the whole field and double inner quotes");
                }
                take(in);
                quoted = true;
                wasQuoted = true;
            } else if (c == ',') {
                take(in);
                fields.add(field.toString());
                quotedFields.add(wasQuoted);
                field.setLength(0);
                wasQuoted = false;
            } else {
                if (wasQuoted) {
                    throw new BadInputException(file + " line " + line + ": text after a closing quote in field " + (fields.size() + 1));
                }
                take(in);
                field.append((char) c);
            }
        }
    }

    /** Consumes one line ending: LF, CRLF or a lone CR. */
    private void endOfLine(BufferedReader in) throws IOException {
        if (take(in) == '\r' && peek(in) == '\n') {
            take(in);
        }
        line++;
    }

    private int peek(BufferedReader in) throws IOException {
        if (peeked == -2) {
            peeked = in.read();
        }
        return peeked;
    }

    private int take(BufferedReader in) throws IOException {
        int c = peek(in);
        peeked = -2;
        return c;
    }
}
