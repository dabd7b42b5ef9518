package dev.fanout.rows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;

/**
 * Where the rows of a fan-out go: one file, or a directory as Spark writes it.
 *
 * <p><b>{@link Layout#FILE}</b> (the default for a path ending in {@code .csv}, {@code .json}, {@code .jsonl},
 * {@code .ndjson} or {@code .parquet}): one file of that format, rows in input order. Spark writes a directory of
 * part files, one per task, so the rows are first gathered into one partition by a shuffle and sorted there by their
 * position in the input (never {@code coalesce(1)}: without a shuffle Spark would run the calls themselves in a single
 * task); that one partition is written into a hidden temporary directory next to the target, and its single part file
 * is then renamed to the target. CSV follows RFC 4180: a field holding a comma, a quote or a line break is quoted, and
 * a quote inside it is doubled (Spark's default is a backslash, which other CSV readers take literally); a header
 * row; leading and trailing spaces kept.
 *
 * <p><b>{@link Layout#SPARK}</b> (the default for a path without one of those extensions): the directory of part
 * files Spark writes, in parallel, rows in no particular order; the format must then be given.
 *
 * <pre>{@code
 * RowOutput out = RowOutput.to(Path.of("priced.csv")).overwrite(true).build();
 * }</pre>
 */
public final class RowOutput {

    /** How the rows are laid out on disk. */
    public enum Layout {
        /** One file, rows in input order. */
        FILE,
        /** Spark's directory of part files. */
        SPARK
    }

    private final Path path;
    private final RowFormat format;
    private final Layout layout;
    private final boolean overwrite;

    private RowOutput(Path path, RowFormat format, Layout layout, boolean overwrite) {
        this.path = path;
        this.format = format;
        this.layout = layout;
        this.overwrite = overwrite;
    }

    /** Rows to be written to {@code path} (a local path). */
    public static Builder to(Path path) {
        return new Builder(path);
    }

    public Path path() {
        return path;
    }

    public RowFormat format() {
        return format;
    }

    public Layout layout() {
        return layout;
    }

    public boolean overwrite() {
        return overwrite;
    }

    /**
     * Writes {@code rows}, blocking until written; in {@link Layout#FILE} in the order of the dataset's partitions
     * and rows. For a fan-out's result use {@link RowFanout.Tracked#write}, which keeps the input's order across the
     * fan-out's repartitioning and can be cancelled.
     */
    public void write(Dataset<Row> rows) {
        if (layout == Layout.SPARK) {
            save(rows, path.toString());
        } else {
            writeOne(rows.withColumn(RowFanout.ORDINAL, functions.monotonically_increasing_id()), RowFanout.ORDINAL);
        }
    }

    /** Writes {@code rows}, which carry their input position in column {@code ordinal} (not written). */
    void write(Dataset<Row> rows, String ordinal) {
        if (layout == Layout.SPARK) {
            save(rows.drop(ordinal), path.toString());
        } else {
            writeOne(rows, ordinal);
        }
    }

    private void writeOne(Dataset<Row> rows, String ordinal) {
        Path target = path.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".fanout-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
        org.apache.hadoop.fs.Path tmpDir = new org.apache.hadoop.fs.Path(tmp.toString());
        FileSystem fs;
        try {
            fs = raw(tmpDir.getFileSystem(rows.sparkSession().sparkContext().hadoopConfiguration()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the file system of " + target, e);
        }
        try {
            // one partition (a shuffle: the calls stay spread over their tasks), sorted by input position
            save(rows.repartition(1).sortWithinPartitions(ordinal).drop(ordinal), tmp.toString());
            List<org.apache.hadoop.fs.Path> parts = new ArrayList<>();
            for (FileStatus s : fs.listStatus(tmpDir)) {
                String name = s.getPath().getName();
                if (s.isFile() && !name.startsWith(".") && !name.startsWith("_")) {
                    parts.add(s.getPath());
                }
            }
            if (parts.size() != 1) {
                throw new IllegalStateException("Spark wrote " + parts.size() + " part files into " + tmp
                        + " for one partition; expected one");
            }
            org.apache.hadoop.fs.Path dest = new org.apache.hadoop.fs.Path(target.toString());
            if (fs.exists(dest)) {
                if (!overwrite) {
                    throw new IllegalStateException("output '" + path + "' appeared while the rows were written");
                }
                fs.delete(dest, true);
            }
            if (!fs.rename(parts.get(0), dest)) {
                throw new IOException("cannot rename " + parts.get(0) + " to " + dest);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                fs.delete(tmpDir, true);
            } catch (IOException e) {
                // a leftover hidden directory next to the output; the write's own outcome matters more
            }
        }
    }

    /** The raw local file system: renaming through the checksummed one would also move a stray {@code .crc} file. */
    private static FileSystem raw(FileSystem fs) {
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    private void save(Dataset<Row> rows, String where) {
        DataFrameWriter<Row> w = rows.write().format(format.sparkName())
                .mode(overwrite && layout == Layout.SPARK ? SaveMode.Overwrite : SaveMode.ErrorIfExists);
        if (format == RowFormat.CSV) {
            w = w.option("header", "true")
                    .option("quote", "\"")
                    .option("escape", "\"") // RFC 4180: "" inside a quoted field
                    .option("ignoreLeadingWhiteSpace", "false") // Spark trims values it writes unless told not to
                    .option("ignoreTrailingWhiteSpace", "false");
        }
        w.save(where);
    }

    /** Builds a {@link RowOutput}; {@link #build()} checks the settings, naming the bad one. */
    public static final class Builder {
        private final Path path;
        private String format;
        private Layout layout;
        private boolean overwrite;

        private Builder(Path path) {
            this.path = path;
        }

        /** {@code csv}, {@code json} or {@code parquet} (default: from the path's extension). */
        public Builder format(String format) {
            this.format = format;
            return this;
        }

        /** One file or Spark's directory (default: one file when the path has a format's extension, else a directory). */
        public Builder layout(Layout layout) {
            this.layout = layout;
            return this;
        }

        /** Replace the path if it exists (default: refuse). */
        public Builder overwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        /**
         * @throws RowSettingException naming {@code output} (none given, no known extension, exists without
         *                             overwrite) or {@code outputFormat} (an unknown format)
         */
        public RowOutput build() {
            if (path == null) {
                throw new RowSettingException("output", " is required");
            }
            RowFormat f = RowFormat.resolve(path, format, "output", "outputFormat");
            Layout l = layout != null ? layout : RowFormat.fromExtension(path).isPresent() ? Layout.FILE : Layout.SPARK;
            if (Files.exists(path) && !overwrite) {
                throw new RowSettingException("output", " '" + path + "' exists; remove it or give ", "overwrite", "");
            }
            return new RowOutput(path, f, l, overwrite);
        }
    }
}
