package dev.fanout.internal.sql;

import dev.fanout.BadInputException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits SQL text into statements and finds what fanout must know about each before Spark sees it.
 *
 * <h2>Design note</h2>
 * Spark runs one statement (or one {@code BEGIN … END} script) per {@code spark.sql} call and offers no public
 * splitter: its own ({@code StringUtils.splitSemiColonWithIndex}, catalyst, internal) mis-splits raw strings. This is
 * one pass of a small lexer that knows just enough of Spark's grammar to find the {@code ;} that end statements:
 * <ul>
 *   <li>{@code --} comments to the end of the line; {@code /* … *}{@code /} comments, nested as Spark nests them;</li>
 *   <li>{@code '…'} and {@code "…"} strings with backslash escapes; {@code r'…'} / {@code r"…"} raw strings without
 *       (a backslash before the closing quote does not escape it); {@code `…`} identifiers, where {@code ``} is a
 *       backquote (Spark's grammar: no backslash escapes there);</li>
 *   <li>chunks holding only comments and blanks are dropped; a statement's text starts at its first token, so its
 *       line is where the user sees it begin;</li>
 *   <li>text whose first word is {@code BEGIN} and last word is {@code END} is one script, sent whole (Spark's own
 *       rule); a {@code BEGIN} statement among others is refused: a script must be the whole file (or cell).</li>
 * </ul>
 * On the way it collects, outside strings and comments, the {@code :name} markers (not {@code ::}, a cast) and the
 * words the statement starts with; it refuses {@code ?} markers (scripts reject them; fanout binds by name),
 * {@code ${…}} anywhere but in comments (text substitution, which fanout turns off: inside a string literal too, the
 * notebook habit {@code '${day}'} would otherwise silently compare with the text "${day}"), and the cache commands
 * ({@code CACHE TABLE}, {@code UNCACHE TABLE}, {@code CLEAR CACHE}), which act on every parallel run at once.
 */
final class SqlSplitter {
    private final String file;
    private final String text;
    private final int cell;
    private final int base;
    private int pos;
    private int line;
    private int chunkIndex;          // chunks seen so far, for the statement number of a problem
    private Problem problem;         // the first one; reported once the numbering is known

    private record Problem(int chunk, int line, String why) {}

    /** What the lexer saw in one chunk between two {@code ;}. */
    private static final class Chunk {
        int start = -1;          // offset of the first token
        int startLine;
        int end;                 // offset of the ; (or the end of the text)
        final Set<String> markers = new LinkedHashSet<>();
        final List<String> words = new ArrayList<>();      // upper-case words outside strings and comments
        final List<Integer> wordLines = new ArrayList<>();
    }

    /** One statement before numbering: text, first line, markers, and the words it starts with. */
    record Piece(String text, int line, Set<String> markers, List<String> words, boolean script) {}

    private SqlSplitter(String file, String text, int firstLine, int cell, int base) {
        this.file = file;
        this.text = text;
        this.line = firstLine;
        this.cell = cell;
        this.base = base;
    }

    /**
     * The statements of {@code text}, whose first line is line {@code firstLine} of {@code file} (cell {@code cell},
     * 0 for none); {@code before} statements of the file come before it (for the numbers in messages).
     *
     * @throws BadInputException a refused construct, an unterminated string or comment, a script among other statements
     */
    static List<Piece> split(String file, String text, int firstLine, int cell, int before) {
        return new SqlSplitter(file, text, firstLine, cell, before).pieces();
    }

    private List<Piece> pieces() {
        List<Chunk> chunks = lex();
        List<Chunk> code = chunks.stream().filter(c -> c.start >= 0).toList();
        Chunk first = code.isEmpty() ? null : code.get(0);
        Chunk last = code.isEmpty() ? null : code.get(code.size() - 1);
        boolean script = first != null && !first.words.isEmpty() && first.words.get(0).equals("BEGIN")
                && !last.words.isEmpty() && last.words.get(last.words.size() - 1).equals("END");
        if (problem != null) {
            int number = script ? 1 : (int) chunks.subList(0, problem.chunk() + 1).stream().filter(c -> c.start >= 0).count()
                    + (chunks.get(problem.chunk()).start < 0 ? 1 : 0);
            throw bad(number, problem.line(), problem.why());
        }
        if (code.isEmpty()) {
            return List.of();
        }
        if (script) {
            Set<String> markers = new LinkedHashSet<>();
            List<String> words = new ArrayList<>();
            code.forEach(c -> {
                markers.addAll(c.markers);
                words.addAll(c.words);
            });
            String body = text.substring(first.start, last.end).strip();
            return List.of(new Piece(body, first.startLine, markers, words, true));
        }
        List<Piece> out = new ArrayList<>();
        for (Chunk c : code) {
            if (!c.words.isEmpty() && c.words.get(0).equals("BEGIN")) {
                throw bad(out.size() + 1, c.startLine, "a BEGIN … END script must be the only statement of the "
                        + (cell > 0 ? "cell" : "file") + "; put it in a " + (cell > 0 ? "cell" : "file") + " of its own");
            }
            out.add(new Piece(text.substring(c.start, c.end).strip(), c.startLine, c.markers, c.words, false));
        }
        return out;
    }

    private List<Chunk> lex() {
        List<Chunk> chunks = new ArrayList<>();
        Chunk c = new Chunk();
        int n = text.length();
        while (pos < n) {
            char ch = text.charAt(pos);
            char next = pos + 1 < n ? text.charAt(pos + 1) : '\0';
            if (ch == '\n') {
                line++;
                pos++;
            } else if (Character.isWhitespace(ch)) {
                pos++;
            } else if (ch == '-' && next == '-') {
                while (pos < n && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (ch == '/' && next == '*') {
                blockComment();
            } else if (ch == ';') {
                c.end = pos;
                chunks.add(c);
                chunkIndex++;
                c = new Chunk();
                pos++;
            } else {
                if (c.start < 0) {
                    c.start = pos;
                    c.startLine = line;
                }
                token(c, ch, next);
            }
        }
        c.end = n;
        chunks.add(c);
        return chunks;
    }

    private void token(Chunk c, char ch, char next) {
        int n = text.length();
        if ((ch == 'r' || ch == 'R') && (next == '\'' || next == '"') && !identifierPart(pos - 1)) {
            pos++;
            quoted(next, true);
        } else if (ch == '\'' || ch == '"') {
            quoted(ch, false);
        } else if (ch == '`') {
            backquoted();
        } else if (ch == '$' && next == '{') {
            dollar(line, false);
            pos += 2;
        } else if (ch == '?') {
            note(line, "positional '?' markers are not supported; name the parameter: WHERE day = :day");
            pos++;
        } else if (ch == ':' && next == ':') {
            pos += 2; // a cast: '5'::int
        } else if (ch == ':' && pos + 1 < n && identifierStart(next)) {
            int start = ++pos;
            while (pos < n && identifierPart(pos)) {
                pos++;
            }
            c.markers.add(text.substring(start, pos));
        } else if (identifierStart(ch) || Character.isDigit(ch)) {
            int start = pos;
            while (pos < n && identifierPart(pos)) {
                pos++;
            }
            if (identifierStart(ch)) {
                c.words.add(text.substring(start, pos).toUpperCase(Locale.ROOT));
                c.wordLines.add(line);
                checkCache(c);
            }
        } else {
            pos++;
        }
    }

    private void checkCache(Chunk c) {
        int k = c.words.size();
        if (k < 2) {
            return;
        }
        String a = c.words.get(k - 2);
        String b = c.words.get(k - 1);
        if ((a.equals("CACHE") && (b.equals("TABLE") || b.equals("LAZY"))) || (a.equals("UNCACHE") && b.equals("TABLE"))
                || (a.equals("CLEAR") && b.equals("CACHE"))) {
            note(c.wordLines.get(k - 2), a + " " + b + " is refused: Spark's cache is shared by every run of the"
                    + " batch at once (one run's UNCACHE or CLEAR CACHE drops what another cached); cache outside the"
                    + " fan-out, or persist a table");
        }
    }

    private void blockComment() {
        int startLine = line;
        int depth = 0;
        int n = text.length();
        while (pos < n) {
            char ch = text.charAt(pos);
            char next = pos + 1 < n ? text.charAt(pos + 1) : '\0';
            if (ch == '/' && next == '*') {
                depth++;
                pos += 2;
            } else if (ch == '*' && next == '/') {
                depth--;
                pos += 2;
                if (depth == 0) {
                    return;
                }
            } else {
                if (ch == '\n') {
                    line++;
                }
                pos++;
            }
        }
        note(startLine, "a /* comment is not closed");
    }

    /** A string literal; in a raw one ({@code r'…'}) a backslash escapes nothing. */
    private void quoted(char quote, boolean raw) {
        int startLine = line;
        int n = text.length();
        pos++;
        while (pos < n) {
            char ch = text.charAt(pos);
            if (!raw && ch == '\\' && pos + 1 < n) {
                if (text.charAt(pos + 1) == '\n') {
                    line++;
                }
                pos += 2;
                continue;
            }
            if (ch == '$' && pos + 1 < n && text.charAt(pos + 1) == '{') {
                dollar(line, true);
            }
            if (ch == '\n') {
                line++;
            }
            pos++;
            if (ch == quote) {
                return;
            }
        }
        note(startLine, raw ? "a raw string r" + quote + " is not closed" : "a string starting with " + quote + " is not closed");
    }

    private void backquoted() {
        int startLine = line;
        int n = text.length();
        pos++;
        while (pos < n) {
            char ch = text.charAt(pos);
            if (ch == '`' && pos + 1 < n && text.charAt(pos + 1) == '`') {
                pos += 2;
                continue;
            }
            if (ch == '\n') {
                line++;
            }
            pos++;
            if (ch == '`') {
                return;
            }
        }
        note(startLine, "a `quoted identifier is not closed");
    }

    private boolean identifierPart(int at) {
        if (at < 0 || at >= text.length()) {
            return false;
        }
        char ch = text.charAt(at);
        return Character.isLetterOrDigit(ch) || ch == '_';
    }

    private static boolean identifierStart(char ch) {
        return Character.isLetter(ch) || ch == '_';
    }

    private void dollar(int at, boolean inString) {
        int end = text.indexOf('}', pos);
        String found = end < 0 || end - pos > 60 ? "${" : text.substring(pos, end + 1);
        String name = end < 0 ? "name" : text.substring(pos + 2, end).replaceAll("^\\w+:", "");
        String hint = name.matches("[A-Za-z_]\\w*") ? name : "name";
        note(at, found + (inString ? " inside a string literal" : "") + " is text substitution, which fanout"
                + " does not do (values would be spliced into the SQL); use a parameter marker instead: "
                + (inString ? "'" + found + "' becomes :" + hint + " (without quotes)" : ":" + hint));
    }

    private void note(int at, String why) {
        if (problem == null) {
            problem = new Problem(chunkIndex, at, why);
        }
    }

    private BadInputException bad(int number, int at, String why) {
        return new BadInputException(SqlStatement.where(file, base + number, at, cell) + ": " + why);
    }
}
