package dev.fanout.cli;

import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * How {@code --help} is laid out: picocli's sections and columns, with lines broken at spaces only.
 *
 * <p>Why: picocli wraps text with the JDK's line {@link java.text.BreakIterator}, which allows a break after a dot or a
 * slash followed by a letter, so {@code dev.fanout.SparkJob} came out as {@code dev.fanout.} / {@code SparkJob} and
 * {@code ~/.fanout/history.db} as {@code ~/.} / {@code fanout/history.db} (picocli itself already hides {@code -} from
 * the iterator, for the same reason). In help text a class name, a path, a Spark setting or an option value is one
 * token a reader copies: it must never be split. So every table picocli fills (options, parameters, commands, exit
 * codes, synopsis) is a {@link SpaceBreakingTable}, and description, header and footer lines are wrapped here too. A
 * footer line that is a command ({@code   fanout ...}) continues with a shell line continuation ({@code \}) and an
 * indent, so an example stays copyable (never broken inside quotes); an indented {@code term  explanation} line
 * continues under its explanation. A single token longer than a whole line is the only thing still cut.
 */
final class HelpLayout implements CommandLine.IHelpFactory {
    /** Continuation lines of an example command are indented this much more than its first line. */
    private static final int EXAMPLE_INDENT = 4;
    /** An indented "term  its explanation" line: the explanation's continuation lines align under it. */
    private static final java.util.regex.Pattern TERM = java.util.regex.Pattern.compile("^ +\\S+ {2,}");

    /** Installs the layout on {@code cl} and every command below it. */
    static void install(CommandLine cl) {
        cl.setHelpFactory(new HelpLayout());
    }

    @Override
    public Help create(CommandSpec commandSpec, ColorScheme colorScheme) {
        return new SpaceBreakingHelp(commandSpec, colorScheme);
    }

    /**
     * {@code text} cut into lines of at most {@code firstWidth} (the first) and {@code nextWidth} columns, at spaces only;
     * a word longer than a line gets a line of its own. The spaces at a break are dropped.
     */
    static List<Text> wrap(Text text, int firstWidth, int nextWidth) {
        return wrap(text, firstWidth, nextWidth, false);
    }

    /** As {@link #wrap(Text, int, int)}; for a shell command ({@code shell}), never at a space inside quotes. */
    static List<Text> wrap(Text text, int firstWidth, int nextWidth, boolean shell) {
        String plain = text.plainString();
        boolean[] breakable = breakable(plain, shell);
        List<Text> lines = new ArrayList<>();
        int start = 0;
        int width = Math.max(1, firstWidth);
        while (plain.length() - start > width) {
            int cut = -1;
            for (int i = Math.min(start + width, plain.length() - 1); i > start && cut < 0; i--) {
                if (breakable[i] && !plain.substring(start, i).isBlank()) {
                    cut = i;
                }
            }
            for (int i = start + width + 1; i < plain.length() && cut < 0; i++) { // one word longer than the line: kept whole
                if (breakable[i]) {
                    cut = i;
                }
            }
            if (cut < 0) {
                break;
            }
            lines.add(text.substring(start, stripEnd(plain, start, cut)));
            start = cut;
            while (start < plain.length() && plain.charAt(start) == ' ') {
                start++;
            }
            width = Math.max(1, nextWidth);
        }
        if (start < plain.length() || lines.isEmpty()) {
            lines.add(text.substring(start, plain.length()));
        }
        return lines;
    }

    /** Where a line may break: at a space, and for a shell command not inside '...' or "...". */
    private static boolean[] breakable(String s, boolean shell) {
        boolean[] ok = new boolean[s.length()];
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (shell && quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (shell && c == quote) {
                quote = 0;
            }
            ok[i] = c == ' ' && quote == 0;
        }
        return ok;
    }

    private static int stripEnd(String s, int start, int end) {
        while (end > start && s.charAt(end - 1) == ' ') {
            end--;
        }
        return end;
    }

    private static String format(String line, Object... params) {
        try {
            return line == null ? "" : String.format(line, params);
        } catch (IllegalFormatException e) {
            return line;
        }
    }

    /** A picocli text table whose wrapping columns break lines at spaces only. */
    static final class SpaceBreakingTable extends TextTable {
        private final ColorScheme scheme;

        SpaceBreakingTable(ColorScheme colorScheme, Column... columns) {
            super(colorScheme, columns);
            this.scheme = colorScheme;
        }

        /** A table with {@code like}'s columns and wrap indent. */
        static SpaceBreakingTable like(TextTable like, ColorScheme colorScheme) {
            SpaceBreakingTable t = new SpaceBreakingTable(colorScheme, like.columns());
            t.indentWrappedLines = like.indentWrappedLines;
            return t;
        }

        @Override
        public Cell putValue(int row, int col, Text value) {
            Column column = columns()[col];
            if (column.overflow != Column.Overflow.WRAP || value == null || value.plainString().isEmpty()) {
                return super.putValue(row, col, value);
            }
            int first = column.width - column.indent;
            List<Text> lines = wrap(value, first, first - indentWrappedLines);
            Text pad = scheme.ansi().new Text(" ".repeat(indentWrappedLines), scheme);
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) {
                    addEmptyRow();
                    row++;
                }
                super.putValue(row, col, i == 0 ? lines.get(i) : pad.concat(lines.get(i)));
            }
            return new Cell(col, row);
        }
    }

    /** picocli's {@link Help} with every table a {@link SpaceBreakingTable} and text lines wrapped at spaces. */
    static final class SpaceBreakingHelp extends Help {
        SpaceBreakingHelp(CommandSpec commandSpec, ColorScheme colorScheme) {
            super(commandSpec, colorScheme);
        }

        private int width() {
            return commandSpec().usageMessage().width();
        }

        @Override
        public Layout createDefaultLayout(List<OptionSpec> options, List<PositionalParamSpec> positionals, ColorScheme scheme) {
            TextTable base = TextTable.forDefaultColumns(scheme, calcLongOptionColumnWidth(options, positionals, scheme), width());
            return new Layout(scheme, SpaceBreakingTable.like(base, scheme), createDefaultOptionRenderer(), createDefaultParameterRenderer());
        }

        @Override
        public TextTable createTextTable(Map<?, ?> map) {
            if (map == null || map.isEmpty()) {
                return super.createTextTable(map);
            }
            int keyWidth = Math.min(width() - 4, map.keySet().stream().mapToInt(k -> String.valueOf(k).length()).max().orElse(0));
            SpaceBreakingTable table = new SpaceBreakingTable(colorScheme(),
                    new Column(keyWidth + 3, 2, Column.Overflow.SPAN), new Column(width() - (keyWidth + 3), 2, Column.Overflow.WRAP));
            map.forEach((k, v) -> table.addRowValues(format(String.valueOf(k)), format(String.valueOf(v))));
            return table;
        }

        @Override
        public String commandList(Map<String, Help> subcommands) {
            if (subcommands.isEmpty()) {
                return "";
            }
            int nameWidth = Math.min(subcommands.keySet().stream().mapToInt(String::length).max().orElse(0), width() / 2);
            SpaceBreakingTable table = new SpaceBreakingTable(colorScheme(),
                    new Column(nameWidth + 2, 2, Column.Overflow.SPAN), new Column(width() - (nameWidth + 2), 2, Column.Overflow.WRAP));
            for (Help help : subcommands.values()) {
                UsageMessageSpec usage = help.commandSpec().usageMessage();
                String summary = usage.header().length > 0 ? usage.header()[0]
                        : usage.description().length > 0 ? usage.description()[0] : "";
                Text[] lines = colorScheme().text(format(summary)).splitLines();
                for (int i = 0; i < lines.length; i++) {
                    table.addRowValues(i == 0 ? help.commandNamesText(", ") : colorScheme().text(""), lines[i]);
                }
            }
            return table.toString();
        }

        @Override
        protected String insertSynopsisCommandName(int headingLength, Text details) {
            String name = commandSpec().qualifiedName();
            UsageMessageSpec usage = commandSpec().usageMessage();
            int indent = headingLength + name.length() + 1;
            if (indent > usage.synopsisAutoIndentThreshold() * width()) {
                indent = usage.synopsisIndent() < 0 ? headingLength : usage.synopsisIndent();
                indent = Math.min(indent, (int) (0.9 * width())); // 0.9: picocli's own bound (its MAX_SYNOPSIS_AUTO_INDENT_THRESHOLD)
            }
            Text line = colorScheme().commandText(name).concat(details);
            StringBuilder out = new StringBuilder();
            List<Text> lines = wrap(line, width() - headingLength, width() - indent);
            for (int i = 0; i < lines.size(); i++) {
                out.append(i == 0 ? "" : " ".repeat(indent)).append(lines.get(i)).append(System.lineSeparator());
            }
            return out.toString();
        }

        @Override
        public String header(Object... params) {
            return join(commandSpec().usageMessage().header(), params);
        }

        @Override
        public String description(Object... params) {
            return join(commandSpec().usageMessage().description(), params);
        }

        @Override
        public String footer(Object... params) {
            return join(commandSpec().usageMessage().footer(), params);
        }

        /** Text lines, each wrapped to the usage width; an example command continues with {@code \} and an indent. */
        private String join(String[] values, Object... params) {
            StringBuilder out = new StringBuilder();
            for (String value : values) {
                for (Text line : colorScheme().text(format(value, params)).splitLines()) {
                    String plain = line.plainString();
                    int lead = plain.length() - plain.stripLeading().length();
                    boolean command = lead > 0 && plain.stripLeading().startsWith("fanout ");
                    java.util.regex.Matcher term = TERM.matcher(plain);
                    int next = command ? lead + EXAMPLE_INDENT : lead > 0 && term.find() ? term.end() : lead;
                    List<Text> pieces = wrap(line, width() - (command ? 2 : 0), width() - next - (command ? 2 : 0), command);
                    for (int i = 0; i < pieces.size(); i++) {
                        out.append(i == 0 ? "" : " ".repeat(next)).append(pieces.get(i));
                        out.append(command && i < pieces.size() - 1 ? " \\" : "").append(System.lineSeparator());
                    }
                }
            }
            return out.toString();
        }
    }
}
