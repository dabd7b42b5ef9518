package dev.fanout.cli.command;

import java.util.ArrayList;
import java.util.List;

/**
 * A table for the terminal whose columns are as wide as their widest cell (header included), two spaces apart, so no
 * value runs into the next column however long it is; the last column is not padded. Right-aligned columns are for
 * numbers and times.
 */
final class TextTable {
    private final String[] headers;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    /** @param columns the headers; a header ending in {@code >} is right-aligned (the {@code >} is not shown) */
    TextTable(String... columns) {
        headers = new String[columns.length];
        right = new boolean[columns.length];
        for (int i = 0; i < columns.length; i++) {
            right[i] = columns[i].endsWith(">");
            headers[i] = right[i] ? columns[i].substring(0, columns[i].length() - 1) : columns[i];
        }
    }

    TextTable row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.length + " columns");
        }
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = String.valueOf(cells[i]);
        }
        rows.add(r);
        return this;
    }

    /** The table, each line prefixed by {@code indent} and ended by a line break. */
    String render(String indent) {
        int[] width = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            width[i] = headers[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, indent, headers, width);
        rows.forEach(r -> line(sb, indent, r, width));
        return sb.toString();
    }

    private void line(StringBuilder sb, String indent, String[] cells, int[] width) {
        StringBuilder line = new StringBuilder(indent);
        for (int i = 0; i < cells.length; i++) {
            boolean last = i == cells.length - 1;
            String pad = " ".repeat(width[i] - cells[i].length());
            line.append(i == 0 ? "" : "  ").append(right[i] ? pad + cells[i] : last ? cells[i] : cells[i] + pad);
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }
}
