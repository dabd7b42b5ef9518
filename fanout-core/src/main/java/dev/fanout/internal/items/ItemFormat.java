package dev.fanout.internal.items;

import dev.fanout.BadInputException;
import java.nio.file.Path;
import java.util.Locale;

/** The formats an items file can have, by extension or by name. */
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
                + " name it .csv, .jsonl or .json, or give its format: csv, jsonl or json (--format on the command line)");
    }

    /** The format called {@code name} ({@code csv}, {@code jsonl} or {@code json}, in any case). */
    public static ItemFormat named(String name, Path file) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "csv" -> CSV;
            case "jsonl", "ndjson" -> JSONL;
            case "json" -> JSON;
            default -> throw new BadInputException("format '" + name + "' of items file '" + file
                    + "' is not one of csv, jsonl, json");
        };
    }
}
