package dev.fanout.internal.sql;

import dev.fanout.BadInputException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL file read and split: a plain file of {@code ;}-separated statements, a single {@code BEGIN … END} script, or
 * a Databricks SQL notebook in source format ({@link NotebookSource}). In a notebook,
 * {@code CREATE WIDGET TEXT name DEFAULT "value"} (or DROPDOWN, COMBOBOX, MULTISELECT) declares a parameter with a
 * default instead of running, and {@code REMOVE WIDGET name} is dropped. Everything refused is refused here, before
 * Spark is involved ({@link SqlSplitter}).
 *
 * @param path     the file, absolute and normalised
 * @param sha256   the hash of its bytes (hex), as the history records it
 * @param defaults parameter defaults from widget declarations
 */
public record SqlSource(Path path, String text, String sha256, boolean notebook, List<SqlStatement> statements,
                        Map<String, String> defaults) {
    private static final Pattern WIDGET = Pattern.compile(
            "(?is)CREATE\\s+WIDGET\\s+(?:TEXT|DROPDOWN|COMBOBOX|MULTISELECT)\\s+(`[^`]+`|[A-Za-z_]\\w*)"
                    + "(?:\\s+DEFAULT\\s+(\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'))?.*");

    public SqlSource {
        statements = List.copyOf(statements);
        defaults = Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
    }

    /** Reads and splits {@code file}; every problem is a {@link BadInputException} naming the file (and statement). */
    public static SqlSource read(Path file) {
        Path path = file.toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            throw new BadInputException("SQL file '" + file + "' does not exist");
        }
        if (!Files.isRegularFile(path)) {
            throw new BadInputException("SQL file '" + file + "' is not a file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new BadInputException("SQL file '" + file + "' cannot be read: " + e.getMessage());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException("SQL file '" + file + "' is not UTF-8 text");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return parse(file.toString(), path, text, sha256(bytes));
    }

    /** Splits {@code text}, named {@code name} in messages. */
    static SqlSource parse(String name, Path path, String text, String sha256) {
        List<SqlStatement> statements = new ArrayList<>();
        Map<String, String> defaults = new LinkedHashMap<>();
        boolean notebook = NotebookSource.isNotebook(text);
        if (notebook) {
            for (NotebookSource.Cell cell : NotebookSource.cells(name, text)) {
                add(name, SqlSplitter.split(name, cell.text(), cell.firstLine(), cell.number(), statements.size()),
                        cell.number(), statements, defaults, true);
            }
        } else {
            add(name, SqlSplitter.split(name, text, 1, 0, 0), 0, statements, defaults, false);
        }
        if (statements.isEmpty()) {
            throw new BadInputException("SQL file '" + name + "' holds no statement" + (notebook ? " in a SQL cell" : ""));
        }
        return new SqlSource(path, text, sha256, notebook, statements, defaults);
    }

    private static void add(String name, List<SqlSplitter.Piece> pieces, int cell, List<SqlStatement> out,
                            Map<String, String> defaults, boolean notebook) {
        for (SqlSplitter.Piece p : pieces) {
            int number = out.size() + 1;
            List<String> w = p.words();
            if (notebook && w.size() >= 2 && w.get(1).equals("WIDGET") && (w.get(0).equals("CREATE") || w.get(0).equals("REMOVE"))) {
                if (w.get(0).equals("CREATE")) {
                    Matcher m = WIDGET.matcher(p.text());
                    if (!m.matches()) {
                        throw new BadInputException(SqlStatement.where(name, number, p.line(), cell) + ": cannot read the"
                                + " widget declaration '" + p.text().lines().findFirst().orElse("") + "'; expected"
                                + " CREATE WIDGET TEXT name DEFAULT \"value\"");
                    }
                    String widget = m.group(1).replace("`", "");
                    if (m.group(2) != null) {
                        String quoted = m.group(2);
                        defaults.put(widget, quoted.substring(1, quoted.length() - 1).replaceAll("\\\\(.)", "$1"));
                    }
                }
                out.add(new SqlStatement(number, p.text(), p.line(), cell, Set.of(), false));
                continue;
            }
            out.add(new SqlStatement(number, p.text(), p.line(), cell, p.markers(), p.script()));
        }
    }

    /** Whether {@code s} declares or removes a widget: it is not run. */
    public boolean isWidget(SqlStatement s) {
        String head = s.text().stripLeading().toUpperCase(java.util.Locale.ROOT);
        return notebook && (head.matches("(?s)(CREATE|REMOVE)\\s+WIDGET\\b.*"));
    }

    /** The statements that run, in order (widget declarations left out). */
    public List<SqlStatement> runnable() {
        return statements.stream().filter(s -> !isWidget(s)).toList();
    }

    /** Every marker name of the file, in order of first use. */
    public Set<String> markers() {
        Set<String> all = new LinkedHashSet<>();
        statements.forEach(s -> all.addAll(s.markers()));
        return all;
    }

    /** The file name, as jobs are named: {@code daily_metrics.sql}. */
    public String fileName() {
        return path.getFileName().toString();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
