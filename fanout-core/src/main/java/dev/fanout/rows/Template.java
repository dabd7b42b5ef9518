package dev.fanout.rows;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A text with placeholders filled from a row: {@code {column}} takes the row's value of that column, and
 * {@code {@pid}}, {@code {@host}}, {@code {@partition}}, {@code {@attempt}} tell where and which call it is. A brace
 * not followed by a name and a closing brace is plain text, so JSON bodies need no escaping:
 * {@code {"id": "{id}"}}. Values are encoded for where they go: percent-encoded in a URL or a form body, JSON-escaped in a JSON body.
 */
final class Template implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(@?[A-Za-z_][A-Za-z0-9_]*)}");
    private static final Set<String> SPECIAL = Set.of("@pid", "@host", "@partition", "@attempt");

    enum Encoding { URL, JSON, FORM, TEXT }

    private final String text;
    private final List<String> literals = new ArrayList<>(); // literals.get(i) comes before names.get(i)
    private final List<String> names = new ArrayList<>();

    private Template(String text) {
        this.text = text;
        Matcher m = PLACEHOLDER.matcher(text);
        int last = 0;
        while (m.find()) {
            literals.add(text.substring(last, m.start()));
            names.add(m.group(1));
            last = m.end();
        }
        literals.add(text.substring(last));
    }

    /**
     * @throws RowSettingException for an unknown {@code {@name}}, naming {@code setting} (e.g. "url") and
     *                             {@code what} (e.g. "URL template")
     */
    static Template parse(String text, String setting, String what) {
        Template t = new Template(text);
        for (String n : t.names) {
            if (n.startsWith("@") && !SPECIAL.contains(n)) {
                throw new RowSettingException(setting, ": " + what + " '" + text + "': unknown placeholder {" + n
                        + "}; known: {@pid}, {@host}, {@partition}, {@attempt}");
            }
        }
        return t;
    }

    String text() {
        return text;
    }

    /** The columns it takes values from. */
    Set<String> columns() {
        Set<String> cols = new LinkedHashSet<>();
        for (String n : names) {
            if (!n.startsWith("@")) {
                cols.add(n);
            }
        }
        return cols;
    }

    /** @throws RowSettingException naming the first column the schema does not have, and the ones it has */
    void validate(StructType schema, String setting, String what) {
        List<String> have = List.of(schema.fieldNames());
        for (String c : columns()) {
            if (!have.contains(c)) {
                throw new RowSettingException(setting, ": " + what + " '" + text + "' names column '" + c
                        + "', which the input does not have (columns: " + String.join(", ", have) + ")");
            }
        }
    }

    /** Filled from the row, with each value encoded for {@code encoding}. */
    String render(Row row, RowCall call, Encoding encoding) throws RowCallException {
        StringBuilder sb = new StringBuilder(text.length() + 32);
        for (int i = 0; i < names.size(); i++) {
            sb.append(literals.get(i));
            String v = value(names.get(i), row, call);
            if (encoding == Encoding.URL && v.isEmpty()) {
                throw RowCallException.permanent("bad_input", "column '" + names.get(i) + "' is empty; no call made");
            }
            sb.append(encode(v, encoding));
        }
        sb.append(literals.get(names.size()));
        return sb.toString();
    }

    private String value(String name, Row row, RowCall call) throws RowCallException {
        switch (name) {
            case "@pid": return Long.toString(ProcessHandle.current().pid());
            case "@host": return Host.NAME;
            case "@partition": return Integer.toString(call.partitionId());
            case "@attempt": return Integer.toString(call.attempt());
            default:
                Object v = row.get(row.fieldIndex(name));
                if (v == null) {
                    throw RowCallException.permanent("bad_input", "column '" + name + "' is null; no call made");
                }
                return String.valueOf(v);
        }
    }

    private static String encode(String v, Encoding encoding) {
        switch (encoding) {
            case URL:
                String e = URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
                // "." and ".." would be path steps (/items/.. is /), not values
                return e.equals(".") || e.equals("..") ? e.replace(".", "%2E") : e;
            case FORM:
                return URLEncoder.encode(v, StandardCharsets.UTF_8);
            case JSON:
                return new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(v));
            default:
                return v.replace("\r", " ").replace("\n", " "); // a value cannot start a new header
        }
    }

    private static final class Host {
        static final String NAME = name();

        private static String name() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return "unknown";
            }
        }
    }
}
