package dev.fanout.rows;

import dev.fanout.ErrorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Rows to fan out, from a local file (or a directory Spark wrote): CSV with a header row, JSON Lines or one JSON array,
 * or Parquet; the format from the extension unless given. Reading is strict ({@code FAILFAST}): a malformed file is
 * refused, naming the file, before any call is made.
 *
 * <pre>{@code
 * Dataset<Row> items = RowInput.of(Path.of("items.csv")).read(spark);
 * }</pre>
 *
 * <p>CSV is read as RFC 4180 (a quoted field may hold commas, line breaks and doubled quotes); its columns are all
 * strings, so values go into URLs as written ({@code 007} stays {@code 007}).
 */
public final class RowInput {
    private final Path path;
    private final RowFormat format;

    private RowInput(Path path, RowFormat format) {
        this.path = path;
        this.format = format;
    }

    /** The file at {@code path}, its format from its extension. */
    public static RowInput of(Path path) {
        return of(path, null);
    }

    /**
     * The file at {@code path} in {@code format} ({@code csv}, {@code json} or {@code parquet}; null: from the extension).
     *
     * @throws RowSettingException naming {@code input} (no such file, not readable, no known extension) or
     *                             {@code inputFormat} (an unknown format)
     */
    public static RowInput of(Path path, String format) {
        if (path == null || !Files.exists(path)) {
            throw new RowSettingException("input", " '" + path + "': no such file");
        }
        if (!Files.isReadable(path)) {
            throw new RowSettingException("input", " '" + path + "': not readable");
        }
        return new RowInput(path, RowFormat.resolve(path, format, "input", "inputFormat"));
    }

    public Path path() {
        return path;
    }

    public RowFormat format() {
        return format;
    }

    /**
     * The rows, lazily as Spark reads (the schema is read now; JSON is scanned for it).
     *
     * @throws RowSettingException naming {@code input} when Spark cannot read it in its format
     */
    public Dataset<Row> read(SparkSession spark) {
        try {
            DataFrameReader r = spark.read().option("mode", "FAILFAST");
            String p = path.toAbsolutePath().toString();
            switch (format) {
                case CSV:
                    // RFC 4180, as RowOutput writes: "" is a quote inside a quoted field, which may span lines
                    return r.option("header", "true").option("escape", "\"").option("multiLine", "true").csv(p);
                case JSON:
                    return r.option("multiLine", Boolean.toString(startsWithBracket(path))).json(p);
                default:
                    return r.parquet(p);
            }
        } catch (Exception e) { // Spark's checked exceptions arrive unchecked from Scala
            throw unreadable(e);
        }
    }

    /** The rows read and counted: one pass over the file, so a malformed row is refused here, not during the calls. */
    public Counted readAndCount(SparkSession spark) {
        Dataset<Row> rows = read(spark);
        try {
            return new Counted(rows, rows.count());
        } catch (Exception e) {
            throw unreadable(e);
        }
    }

    /** Rows read and their number. */
    public record Counted(Dataset<Row> rows, long count) {}

    private RowSettingException unreadable(Exception e) {
        if (e instanceof RowSettingException bad) {
            return bad;
        }
        String root = ErrorInfo.firstLine(ErrorInfo.rootCause(e).getMessage());
        RowSettingException bad = new RowSettingException("input", " '" + path + "': cannot read it as "
                + format.sparkName() + ": " + root);
        bad.initCause(e);
        return bad;
    }

    /** A JSON file whose first character is {@code [} holds one array (Spark's multiLine mode), else JSON Lines. */
    private static boolean startsWithBracket(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            int c;
            while ((c = in.read()) != -1) {
                if (!Character.isWhitespace(c) && c != 0xEF && c != 0xBB && c != 0xBF) { // a UTF-8 byte order mark
                    return c == '[';
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
