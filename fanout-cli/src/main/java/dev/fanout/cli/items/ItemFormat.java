package dev.fanout.cli.items;

import dev.fanout.BadInputException;
import java.nio.file.Path;
import java.util.Locale;

/** The formats an items file can have. */
public enum ItemFormat {
    CSV, JSONL, JSON;

    /** The format implied by the file's extension. */
    public static ItemFormat of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return JSONL;
        }
        if (name.endsWith(".json")) {
            return JSON;
        }
        throw new BadInputException("cannot tell the format of items file '" + file + "' from its extension;"
                + " name it .csv, .jsonl or .json, or give --format csv|jsonl|json");
    }
}
