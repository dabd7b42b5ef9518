package dev.fanout.internal.sql;

import dev.fanout.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cells of a Databricks SQL notebook in source format: the first line is {@code -- Databricks notebook source},
 * cells are separated by {@code -- COMMAND ----------} lines, and a cell in another language has each line prefixed
 * with {@code -- MAGIC } and starts with {@code -- MAGIC %<lang>}. Markdown cells ({@code %md}) are documentation
 * and skipped; a {@code %sql} magic cell runs with its prefixes removed; any other language ({@code %python},
 * {@code %scala}, {@code %sh}, {@code %run}, …) is refused, naming the cell and line: fanout runs SQL only.
 */
final class NotebookSource {
    static final String HEADER = "-- Databricks notebook source";
    private static final Pattern SEPARATOR = Pattern.compile("--\\s*COMMAND\\s*-{10}\\s*");
    private static final Pattern MAGIC = Pattern.compile("--\\s*MAGIC\\s*%(\\S+).*");
    private static final String PREFIX = "-- MAGIC";

    /** One SQL cell: its text and the file line its text starts on. */
    record Cell(int number, String text, int firstLine) {}

    private NotebookSource() {}

    static boolean isNotebook(String text) {
        String first = text.lines().findFirst().orElse("");
        return first.strip().equals(HEADER);
    }

    /** The SQL cells of {@code text} (a notebook, header included), numbered as the notebook shows them (from 1). */
    static List<Cell> cells(String file, String text) {
        List<String> lines = text.lines().toList();
        List<Cell> cells = new ArrayList<>();
        int number = 1;
        int start = 1; // 0-based index of the cell's first line: after the header
        for (int i = 1; i <= lines.size(); i++) {
            if (i == lines.size() || SEPARATOR.matcher(lines.get(i).strip()).matches()) {
                Cell c = cell(file, number, lines.subList(start, i), start + 1);
                if (c != null) {
                    cells.add(c);
                }
                number++;
                start = i + 1;
            }
        }
        return cells;
    }

    private static Cell cell(String file, int number, List<String> lines, int firstLine) {
        int k = 0;
        while (k < lines.size() && lines.get(k).isBlank()) {
            k++;
        }
        if (k == lines.size()) {
            return null;
        }
        Matcher magic = MAGIC.matcher(lines.get(k).strip());
        if (!magic.matches()) {
            return new Cell(number, String.join("\n", lines), firstLine);
        }
        String lang = magic.group(1).toLowerCase(Locale.ROOT);
        if (lang.equals("md") || lang.startsWith("md-")) {
            return null;
        }
        if (!lang.equals("sql")) {
            throw new BadInputException(file + " cell " + number + " (line " + (firstLine + k) + ") is a %" + lang
                    + " cell: fanout runs SQL only; remove the cell or turn it into %md");
        }
        List<String> sql = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            String stripped = l.strip();
            if (i == k) {
                sql.add(""); // the %sql line itself
            } else if (stripped.startsWith(PREFIX)) {
                String rest = stripped.substring(PREFIX.length());
                sql.add(rest.startsWith(" ") ? rest.substring(1) : rest);
            } else {
                sql.add(l);
            }
        }
        return new Cell(number, String.join("\n", sql), firstLine);
    }
}
