package dev.fanout.internal.sql;

import java.util.Set;

/**
 * One statement of a SQL file, as it runs: its text (leading comments dropped), where it is, and the {@code :name}
 * markers it binds.
 *
 * @param number  1-based, counting every statement of the file in order (a notebook's widget declarations too)
 * @param text    what {@code spark.sql} gets; a whole {@code BEGIN … END} script is one statement
 * @param line    the 1-based line of the file where its first token is
 * @param cell    the 1-based notebook cell, or 0 for a plain file
 * @param markers the names of its {@code :name} markers, in order of first use, without duplicates
 * @param script  whether it is a {@code BEGIN … END} script
 */
public record SqlStatement(int number, String text, int line, int cell, Set<String> markers, boolean script) {
    public SqlStatement {
        markers = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(markers));
    }

    /** {@code daily.sql statement 3 (line 12, cell 2)}, the prefix of every message about this statement. */
    public String where(String file) {
        return where(file, number, line, cell);
    }

    static String where(String file, int number, int line, int cell) {
        return file + " statement " + number + " (line " + line + (cell > 0 ? ", cell " + cell : "") + ")";
    }

    /** The first line of its text, shortened, for messages. */
    public String head() {
        String first = text.lines().findFirst().orElse("").strip();
        return first.length() > 80 ? first.substring(0, 77) + "..." : first;
    }
}
