package dev.fanout.rows;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The file formats rows are read from and written to: the Spark data source of each, and the extensions that say it. */
public enum RowFormat {
    /** Comma-separated values with a header row (RFC 4180 quoting); every column read as a string. */
    CSV,
    /** JSON Lines, or (when reading) one JSON array of objects. */
    JSON,
    /** Apache Parquet. */
    PARQUET;

    /** The Spark data source name: {@code csv}, {@code json}, {@code parquet}. */
    public String sparkName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format a file's extension says: {@code .csv}; {@code .json}, {@code .jsonl}, {@code .ndjson}; {@code .parquet}. */
    public static Optional<RowFormat> fromExtension(Path path) {
        Path name = path == null ? null : path.getFileName();
        String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".csv")) {
            return Optional.of(CSV);
        }
        if (n.endsWith(".json") || n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
            return Optional.of(JSON);
        }
        return n.endsWith(".parquet") ? Optional.of(PARQUET) : Optional.empty();
    }

    /**
     * By name, in any case: {@code csv}, {@code json} or {@code parquet}, and {@code jsonl} (or {@code ndjson}) for JSON, as
     * the items of a batch name JSON Lines; empty for any other.
     */
    public static Optional<RowFormat> named(String name) {
        String n = name == null ? "" : name.trim();
        if (n.equalsIgnoreCase("jsonl") || n.equalsIgnoreCase("ndjson")) {
            return Optional.of(JSON);
        }
        for (RowFormat f : values()) {
            if (f.sparkName().equalsIgnoreCase(n)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * {@code given} when not null, else the format {@code path}'s extension says.
     *
     * @throws RowSettingException naming {@code formatSetting} for an unknown name, or {@code pathSetting} when the
     *                             extension says nothing
     */
    static RowFormat resolve(Path path, String given, String pathSetting, String formatSetting) {
        if (given != null) {
            return named(given).orElseThrow(() -> new RowSettingException(formatSetting, " '" + given
                    + "': give csv, jsonl, json or parquet"));
        }
        return fromExtension(path).orElseThrow(() -> new RowSettingException(pathSetting, " '" + path
                + "': cannot tell the format from its extension; name it .csv, .json or .parquet, or give ", formatSetting,
                " csv|jsonl|json|parquet"));
    }
}
