package dev.fanout.internal.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.BadInputException;
import dev.fanout.JobContext;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A SQL file run as a job: every statement, in order, on the run's own session, each through
 * {@code spark.sql(statement, Map)} so that {@code :name} markers are bound as values, never spliced into the text.
 *
 * <h2>Design note</h2>
 * <ul>
 *   <li><b>Values.</b> A parameter the batch declares typed (a {@code --range} of dates or integers) is bound as a
 *       {@code DATE} or {@code BIGINT}; every other value as a {@code STRING}, which the SQL casts where it needs
 *       ({@code CAST(:day AS DATE)}). A notebook widget's default applies when the item lacks the parameter. Each
 *       statement gets only the parameters it names.</li>
 *   <li><b>Rows.</b> Every statement's rows are fetched, at most {@link #MAX_ROWS} + 1 of them: a SELECT that is not
 *       the last statement runs too (as a notebook shows it), bounded. Commands ran already inside {@code spark.sql}.
 *       A statement "returns rows" when its result has columns (a Delta MERGE, UPDATE or DELETE returns its
 *       {@code num_affected_rows}; an INSERT or a CREATE returns none).</li>
 *   <li><b>Exit value.</b> The rows of the last statement that returns rows, as a JSON array of objects (column names
 *       as keys, nulls kept). When more than {@link #MAX_ROWS} rows came, or the array would pass
 *       {@link #MAX_BYTES} bytes, the rows that fit are returned as {@code {"rows":[…],"truncated":true}}, so a
 *       consumer sees that it is cut. No statement with rows: null.</li>
 *   <li><b>Failure.</b> The first failing statement stops the run (statements before it have run: SQL files are not
 *       transactions); the message names the file, statement, line and cell and carries Spark's error condition and
 *       SQLSTATE.</li>
 * </ul>
 */
public final class SqlJob implements SparkJob {
    /** At most this many rows in the exit value. */
    public static final int MAX_ROWS = 10_000;
    /**
     * At most this many bytes (UTF-8) of exit value: 1 MiB, so that a workflow can loop over a query's rows (a value
     * is kept in the history; above 48 KiB, the Databricks task value's limit, a workflow warns that data belongs in
     * tables).
     */
    public static final int MAX_BYTES = 1024 * 1024;
    /** Decimals stay exact (a DECIMAL(38,2) sum is not turned into a double) and are written without an exponent. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private final SqlSource source;

    private SqlJob(SqlSource source) {
        this.source = source;
    }

    /** Reads and splits {@code file}; a {@link BadInputException} when it cannot. */
    public static SqlJob of(Path file) {
        return new SqlJob(SqlSource.read(file));
    }

    public SqlSource source() {
        return source;
    }

    /** The file name. */
    @Override
    public String name() {
        return source.fileName();
    }

    /**
     * Before any run: every statement parses (Spark's own parser, markers left unbound: a syntax check needing no
     * values), and every marker has a value in every item, or a widget default.
     */
    @Override
    public void check(List<? extends Map<String, String>> items, SparkSession spark) {
        SqlParsing.check(source, spark);
        for (SqlStatement s : source.runnable()) {
            for (String name : s.markers()) {
                if (source.defaults().containsKey(name)) {
                    continue;
                }
                for (int i = 0; i < items.size(); i++) {
                    Map<String, String> item = items.get(i);
                    if (!item.containsKey(name)) {
                        throw new BadInputException(file() + ": parameter '" + name + "' (first used in statement "
                                + s.number() + ", line " + s.line() + (s.cell() > 0 ? ", cell " + s.cell() : "")
                                + ") has no value in item " + (i + 1) + (items.size() > 1 ? " of " + items.size() : "")
                                + (item.isEmpty() ? " (it has no parameters)" : " (it has " + String.join(", ", item.keySet()) + ")")
                                + "; give it with -p " + name + "=VALUE, in the items, or as a --range");
                    }
                }
            }
        }
    }

    @Override
    public String run(JobContext context) {
        SparkSession spark = context.spark();
        // No ${…} text substitution in the run's session, and markers bound also under Delta's parser (or, on a session
        // fanout did not build, the legacy analyzer-time binding, with its limits: see SqlBinding).
        SqlBinding.prepare(spark);
        List<Row> last = null;
        for (SqlStatement s : source.runnable()) {
            Map<String, Object> args = arguments(s, context);
            List<Row> rows;
            try {
                Dataset<Row> df = spark.sql(s.text(), args);
                rows = df.schema().isEmpty() ? null : df.limit(MAX_ROWS + 1).collectAsList();
            } catch (Exception e) { // AnalysisException is a checked exception to Java
                throw new SqlStatementException(failure(s, e), e);
            }
            if (rows != null) {
                last = rows;
            }
        }
        return last == null ? null : exitValue(last);
    }

    /** The values of the markers {@code s} names: typed when the batch declares a type, else strings. */
    private Map<String, Object> arguments(SqlStatement s, JobContext context) {
        Map<String, Object> args = new LinkedHashMap<>();
        for (String name : s.markers()) {
            String raw = context.params().get(name);
            if (raw == null) {
                raw = source.defaults().get(name);
            }
            if (raw == null) {
                throw new BadInputException(s.where(file()) + ": parameter '" + name + "' has no value; give it with -p "
                        + name + "=VALUE, in the items, or as a --range");
            }
            Optional<ParamType<?>> type = context.declaredType(name);
            args.put(name, type.isPresent() && bindable(type.get()) ? type.get().parse(name, raw) : raw);
        }
        return args;
    }

    private static boolean bindable(ParamType<?> type) {
        return type == ParamType.DATE || type == ParamType.LONG || type == ParamType.INT || type == ParamType.DOUBLE
                || type == ParamType.BOOLEAN;
    }

    private String failure(SqlStatement s, Exception e) {
        StringBuilder m = new StringBuilder(s.where(file())).append(" failed: ");
        String first = firstLine(e);
        m.append(first);
        if (e instanceof SparkThrowable t && t.getCondition() != null) {
            if (!first.contains("[" + t.getCondition() + "]")) {
                m.append(" [").append(t.getCondition()).append(']');
            }
            if (t.getSqlState() != null && !first.contains("SQLSTATE: " + t.getSqlState())) {
                m.append(" SQLSTATE: ").append(t.getSqlState());
            }
        }
        m.append(" -- in: ").append(s.head());
        return m.toString();
    }

    /** The first non-blank line of {@code e}'s message (a parse error's message starts with a line break). */
    static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        return message.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(message);
    }

    /** The rows as the exit value: a JSON array, or {@code {"rows":[…],"truncated":true}} when cut. */
    static String exitValue(List<Row> rows) {
        ArrayNode out = JSON.createArrayNode();
        boolean truncated = rows.size() > MAX_ROWS;
        int budget = MAX_BYTES - "{\"rows\":,\"truncated\":true}".length() - 2;
        int used = 0;
        for (Row row : rows.subList(0, Math.min(rows.size(), MAX_ROWS))) {
            ObjectNode object = object(row);
            int size = object.toString().getBytes(StandardCharsets.UTF_8).length + 1;
            if (used + size > budget) {
                truncated = true;
                break;
            }
            used += size;
            out.add(object);
        }
        if (!truncated) {
            return out.toString();
        }
        ObjectNode cut = JSON.createObjectNode();
        cut.set("rows", out);
        cut.put("truncated", true);
        return cut.toString();
    }

    private static ObjectNode object(Row row) {
        try {
            JsonNode node = JSON.readTree(row.json());
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot turn a row into JSON: " + e.getOriginalMessage(), e);
        }
    }

    private String file() {
        return source.fileName();
    }

    @Override
    public String toString() {
        return "SQL job " + source.path();
    }

    /** A statement of a SQL job failed; the message names it and carries Spark's condition and SQLSTATE. */
    public static final class SqlStatementException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SqlStatementException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
