package dev.fanout.rows;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One HTTP request per row, on the JDK's {@link HttpClient} (one per executor JVM, its connections reused): a URL
 * template filled from the row's columns ({@code http://127.0.0.1:8080/items/{id}}), a method, headers and an
 * optional body template, and JSON response fields mapped to typed columns (else the body is the result).
 *
 * <p>2xx is a result; 429 and 5xx are retryable, and their {@code Retry-After} (seconds or an HTTP date) is honoured:
 * that partition makes no call until it has passed. Other statuses are recorded as {@code http_NNN} errors without
 * retry. Error messages name the method and the URL without its query string (which may hold a key).
 */
public final class HttpRowFunction implements RowFunction {
    private static final long serialVersionUID = 1L;
    private static final int SNIPPET = 200;

    /** A JSON response field mapped to a result column. */
    public record Field(String name, String pointer, String type) implements Serializable {}

    /** The types a field can have. */
    public static final List<String> TYPES = List.of("string", "long", "double", "boolean", "json");

    private final String method;
    private final Template url;
    private final Map<String, Template> headers;
    private final Template body;
    private final List<Field> fields;

    private HttpRowFunction(Builder b) {
        this.method = b.method;
        this.url = b.url;
        this.headers = b.headers;
        this.body = b.body;
        this.fields = List.copyOf(b.fields);
    }

    public static Builder get(String urlTemplate) {
        return request("GET", urlTemplate);
    }

    public static Builder request(String method, String urlTemplate) {
        return new Builder(method, urlTemplate);
    }

    @Override
    public DataType resultType() {
        if (fields.isEmpty()) {
            return DataTypes.StringType;
        }
        List<StructField> sf = new ArrayList<>();
        for (Field f : fields) {
            sf.add(DataTypes.createStructField(f.name(), sparkType(f.type()), true));
        }
        return DataTypes.createStructType(sf);
    }

    /** The mapped fields, empty when the body is the result. */
    public List<Field> fields() {
        return fields;
    }

    @Override
    public void validate(StructType schema) {
        url.validate(schema, "url", "URL template");
        headers.forEach((name, t) -> t.validate(schema, "header", "header " + name + " template"));
        if (body != null) {
            body.validate(schema, "body", "body template");
        }
    }

    @Override
    public CompletionStage<?> call(Row row, RowCall call) throws RowCallException {
        String target = url.render(row, call, Template.Encoding.URL);
        URI uri;
        try {
            uri = URI.create(target);
        } catch (IllegalArgumentException e) {
            throw RowCallException.permanent("bad_url", "not a URL: " + target + " (" + e.getMessage() + ")");
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(call.timeout());
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            req.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance on plain HTTP
        }
        for (Map.Entry<String, Template> h : headers.entrySet()) {
            req.header(h.getKey(), h.getValue().render(row, call, Template.Encoding.TEXT));
        }
        if (body != null) {
            req.method(method, HttpRequest.BodyPublishers.ofString(body.render(row, call, bodyEncoding())));
        } else {
            req.method(method, HttpRequest.BodyPublishers.noBody());
        }
        String where = method + " " + withoutQuery(uri);
        return Clients.HTTP.sendAsync(req.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(resp -> {
                    try {
                        return answer(resp, where);
                    } catch (RowCallException e) {
                        throw new CompletionException(e);
                    }
                });
    }

    private Template.Encoding bodyEncoding() {
        String type = headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("Content-Type"))
                .map(h -> h.getValue().text().toLowerCase(Locale.ROOT)).findFirst().orElse("");
        return type.contains("json") ? Template.Encoding.JSON
                : type.contains("x-www-form-urlencoded") ? Template.Encoding.FORM : Template.Encoding.TEXT;
    }

    private Object answer(HttpResponse<String> resp, String where) throws RowCallException {
        int status = resp.statusCode();
        String text = resp.body() == null ? "" : resp.body();
        if (status >= 200 && status < 300) {
            return fields.isEmpty() ? text : extract(text, where);
        }
        String message = "HTTP " + status + " from " + where + (text.isBlank() ? "" : ": " + snippet(text));
        if (status == 429 || status >= 500) {
            Duration after = resp.headers().firstValue("Retry-After").map(HttpRowFunction::retryAfter).orElse(null);
            throw new RowCallException("http_" + status, message, true, after);
        }
        throw RowCallException.permanent("http_" + status, message);
    }

    private Row extract(String text, String where) throws RowCallException {
        JsonNode root;
        try {
            root = Clients.JSON.readTree(text);
        } catch (Exception e) {
            throw RowCallException.permanent("bad_response", "the answer of " + where + " is not JSON: " + snippet(text));
        }
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < values.length; i++) {
            Field f = fields.get(i);
            JsonNode n = root.at(JsonPointer.compile(f.pointer()));
            values[i] = convert(f, n, where);
        }
        return RowFactory.create(values);
    }

    private static Object convert(Field f, JsonNode n, String where) throws RowCallException {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return null;
        }
        switch (f.type()) {
            case "json":
                return n.toString();
            case "string":
                return n.isValueNode() ? n.asText() : n.toString();
            case "long":
                if (n.isIntegralNumber() && n.canConvertToLong()) {
                    return n.longValue();
                }
                if (n.isTextual()) {
                    try {
                        return Long.parseLong(n.asText().trim());
                    } catch (NumberFormatException e) {
                        // below
                    }
                }
                break;
            case "double":
                if (n.isNumber()) {
                    return n.doubleValue();
                }
                if (n.isTextual()) {
                    try {
                        return Double.parseDouble(n.asText().trim());
                    } catch (NumberFormatException e) {
                        // below
                    }
                }
                break;
            case "boolean":
                if (n.isBoolean()) {
                    return n.booleanValue();
                }
                if (n.isTextual() && (n.asText().equalsIgnoreCase("true") || n.asText().equalsIgnoreCase("false"))) {
                    return Boolean.parseBoolean(n.asText());
                }
                break;
            default:
                break;
        }
        throw RowCallException.permanent("bad_response", "field '" + f.name() + "' (" + f.pointer() + ") of the answer of "
                + where + " is not a " + f.type() + ": " + snippet(n.toString()));
    }

    /** {@code Retry-After}: delay-seconds or an HTTP date; null when unreadable. */
    static Duration retryAfter(String value) {
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(Instant.now(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static String withoutQuery(URI uri) {
        String s = uri.toString();
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q) + "?…";
    }

    private static String snippet(String text) {
        String t = text.strip().replaceAll("\\s+", " ");
        return t.length() <= SNIPPET ? t : t.substring(0, SNIPPET) + "…";
    }

    private static DataType sparkType(String type) {
        switch (type) {
            case "long": return DataTypes.LongType;
            case "double": return DataTypes.DoubleType;
            case "boolean": return DataTypes.BooleanType;
            default: return DataTypes.StringType;
        }
    }

    /** One client and JSON reader per JVM (executor), made on first use; never serialized. */
    private static final class Clients {
        static final HttpClient HTTP = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        static final ObjectMapper JSON = new ObjectMapper();
    }

    public static final class Builder {
        private final String method;
        private final Template url;
        private final Map<String, Template> headers = new LinkedHashMap<>();
        private Template body;
        private final List<Field> fields = new ArrayList<>();

        private Builder(String method, String urlTemplate) {
            if (method == null || !method.matches("[A-Z]+")) {
                throw new RowSettingException("method", ": HTTP method must be a word in capitals such as GET or POST, got '"
                        + method + "'");
            }
            this.method = method;
            if (urlTemplate == null) {
                throw new RowSettingException("url", " is required");
            }
            this.url = Template.parse(urlTemplate, "url", "URL template");
            String probe = urlTemplate.replaceAll("\\{@?[A-Za-z_][A-Za-z0-9_]*}", "x");
            URI uri;
            try {
                uri = URI.create(probe);
            } catch (IllegalArgumentException e) {
                throw new RowSettingException("url", ": URL template '" + urlTemplate + "' is not a URL: " + e.getMessage());
            }
            if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw new RowSettingException("url", ": URL template '" + urlTemplate
                        + "' must be an absolute http:// or https:// URL with a host");
            }
        }

        /** A header; its value may be a template. */
        public Builder header(String name, String valueTemplate) {
            try {
                HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header(name, "x");
            } catch (IllegalArgumentException e) {
                throw new RowSettingException("header", ": header '" + name + "' cannot be set: " + e.getMessage());
            }
            headers.put(name, Template.parse(valueTemplate, "header", "header " + name));
            return this;
        }

        /**
         * A request body template. Values are JSON-escaped when the {@code Content-Type} says json (the default for a
         * body starting with { or [), form-encoded for {@code application/x-www-form-urlencoded}, else inserted as they are.
         */
        public Builder body(String template) {
            this.body = Template.parse(template, "body", "body template");
            return this;
        }

        /**
         * Maps a field of the JSON answer to a column of the struct result. {@code pointer}: a JSON Pointer
         * ({@code /data/price}) or dotted path ({@code data.price}); {@code type}: one of {@link #TYPES}. A missing
         * field is null; a field of another type is a {@code bad_response} error.
         */
        public Builder field(String name, String pointer, String type) {
            if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new RowSettingException("field", ": field name must be a word (letters, digits, _), got '" + name + "'");
            }
            if (fields.stream().anyMatch(f -> f.name().equals(name))) {
                throw new RowSettingException("field", ": field '" + name + "' is given twice");
            }
            String t = type == null ? "string" : type.toLowerCase(Locale.ROOT);
            if (!TYPES.contains(t)) {
                throw new RowSettingException("field", ": field '" + name + "': type '" + type + "' is not one of "
                        + String.join(", ", TYPES));
            }
            String p = pointer.startsWith("/") || pointer.isEmpty() ? pointer : "/" + pointer.replace('.', '/');
            try {
                JsonPointer.compile(p);
            } catch (IllegalArgumentException e) {
                throw new RowSettingException("field", ": field '" + name + "': '" + pointer + "' is not a JSON pointer: "
                        + e.getMessage());
            }
            fields.add(new Field(name, p, t));
            return this;
        }

        public HttpRowFunction build() {
            if (body != null && headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
                String start = body.text().stripLeading();
                headers.put("Content-Type", Template.parse(start.startsWith("{") || start.startsWith("[")
                        ? "application/json" : "text/plain; charset=utf-8", "header", "Content-Type"));
            }
            return new HttpRowFunction(this);
        }
    }
}
