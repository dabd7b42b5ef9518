package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The rendered {@code --help} of every command (the whole picocli tree, walked): no dotted name, path or setting cut
 * across lines, every command lists its exit codes, summaries are whole sentences, and the texts fit the command.
 */
class HelpTextTest {
    private static final int WIDTH = 80; // picocli's usage width

    /** Every command of the tree by its full name, "fanout" first. */
    private static Map<String, CommandLine> commands() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        CommandLine root = FanoutCommand.commandLine(new Environment(sink, sink, CliHarness.SHARED, false, Path.of("unused.db")));
        Map<String, CommandLine> all = new LinkedHashMap<>();
        walk(root, all);
        return all;
    }

    private static void walk(CommandLine cl, Map<String, CommandLine> all) {
        all.put(cl.getCommandSpec().qualifiedName(), cl);
        cl.getSubcommands().values().forEach(sub -> walk(sub, all));
    }

    private static String help(CommandLine cl) {
        return cl.getUsageMessage(Ansi.OFF);
    }

    /** The texts a command's help is made of, as picocli resolves them (resource bundle and variables applied). */
    private static List<String> texts(CommandSpec spec) {
        List<String> texts = new ArrayList<>();
        texts.addAll(List.of(spec.usageMessage().description()));
        texts.addAll(List.of(spec.usageMessage().header()));
        texts.addAll(List.of(spec.usageMessage().footer()));
        texts.addAll(spec.usageMessage().exitCodeList().values());
        for (ArgSpec arg : spec.args()) {
            if (!arg.hidden()) {
                texts.addAll(List.of(arg.description()));
                texts.add(arg.paramLabel());
            }
        }
        return texts;
    }

    /** The words of {@code text} with a dot or a slash in them: a class, a path, a file, a Spark setting, a range, a URL. */
    private static List<String> dottedNames(String text) {
        List<String> names = new ArrayList<>();
        for (String word : (text == null ? "" : text.replace("%n", " ")).split("\\s+")) {
            String w = word.replaceAll("^[('\"\\[]+", "").replaceAll("[).,;:'\"\\]]+$", "");
            if (w.length() > 2 && (w.contains(".") || w.contains("/"))) {
                names.add(w);
            }
        }
        return names;
    }

    private static int count(String text, String token) {
        int n = 0;
        for (int i = text.indexOf(token); i >= 0; i = text.indexOf(token, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void noLineIsBrokenInsideADottedNameOrAPath() {
        int checked = 0;
        for (var e : commands().entrySet()) {
            String help = help(e.getValue());
            Map<String, Integer> wanted = new LinkedHashMap<>();
            for (String text : texts(e.getValue().getCommandSpec())) {
                dottedNames(text).forEach(name -> wanted.merge(name, 1, Integer::sum));
            }
            for (var token : wanted.entrySet()) {
                assertThat(count(help, token.getKey()))
                        .as("'%s' whole in the help of '%s':%n%s", token.getKey(), e.getKey(), help)
                        .isGreaterThanOrEqualTo(token.getValue());
                checked++;
            }
            for (String line : help.split("\\R")) {
                assertThat(line.length()).as("line width in '%s': %s", e.getKey(), line).isLessThanOrEqualTo(WIDTH);
            }
        }
        assertThat(checked).as("dotted names checked").isGreaterThan(50);
        // the names the issue saw cut
        assertThat(help(commands().get("fanout foreach"))).contains("dev.fanout.SparkJob").contains("~/.fanout/history.db");
    }

    @Test
    void everyCommandListsItsExitCodes() {
        for (var e : commands().entrySet()) {
            String help = help(e.getValue());
            assertThat(help).as("help of '%s'", e.getKey()).contains("Exit codes:");
            assertThat(help).as("help of '%s'", e.getKey()).containsPattern("(?m)^  0 +\\S");
        }
    }

    @Test
    void theCommandSummariesAreWholeSentences() {
        for (var e : commands().entrySet()) {
            String[] description = e.getValue().getCommandSpec().usageMessage().description();
            if (!e.getKey().equals("fanout help")) { // picocli's own
                assertThat(description).as("description of '%s'", e.getKey()).isNotEmpty();
                assertThat(description[0]).as("summary of '%s' (the line 'fanout --help' lists)", e.getKey())
                        .endsWith(".").doesNotContain("\n");
            }
        }
        // as 'fanout --help' renders them: each entry of its command list, its wrapped lines joined, is one whole sentence
        String root = help(commands().get("fanout"));
        String list = root.substring(root.indexOf("Commands:"), root.indexOf("Exit codes:"));
        List<String> entries = new ArrayList<>();
        for (String line : list.split("\\R")) {
            if (line.matches("  \\S.*")) {
                entries.add(line.trim());
            } else if (line.startsWith("    ") && !entries.isEmpty()) {
                entries.set(entries.size() - 1, entries.get(entries.size() - 1) + " " + line.trim());
            }
        }
        assertThat(entries).hasSize(commands().get("fanout").getSubcommands().size());
        assertThat(entries).allSatisfy(entry -> assertThat(entry).endsWith(".").doesNotContain(":  "));
    }

    @Test
    void exampleCommandsContinueIndentedAndCopyable() {
        for (var e : commands().entrySet()) {
            String[] lines = help(e.getValue()).split("\\R");
            for (int i = 0; i + 1 < lines.length; i++) {
                if (lines[i].endsWith(" \\")) {
                    assertThat(lines[i + 1]).as("continuation in '%s' of: %s", e.getKey(), lines[i]).startsWith("      ");
                    // never inside quotes, where the shell would keep the backslash and the line break
                    assertThat(lines[i].chars().filter(c -> c == '\'').count() % 2).as("quotes closed in: %s", lines[i]).isZero();
                }
            }
        }
        assertThat(help(commands().get("fanout rows"))).contains("'Authorization: Bearer {token}'");
    }

    @Test
    void placeholdersAreTheSameEverywhere() {
        for (var e : commands().entrySet()) {
            String help = help(e.getValue());
            assertThat(help).as("picocli's field-name placeholders in '%s'", e.getKey()).doesNotContain("=<");
            for (OptionSpec o : e.getValue().getCommandSpec().options()) {
                if (o.longestName().equals("--master")) {
                    assertThat(o.paramLabel()).as("--master of '%s'", e.getKey()).isEqualTo("URL");
                }
                if (List.of("--runs", "--rounds", "--parallelism", "--retries", "--iterations", "--limit").contains(o.longestName())
                        && !o.paramLabel().equals("N|auto") && !o.paramLabel().equals("N|auto|adaptive")) {
                    assertThat(o.paramLabel()).as("%s of '%s'", o.longestName(), e.getKey()).isEqualTo("N");
                }
            }
        }
        // --format names JSON Lines alike in foreach and rows
        assertThat(commands().get("fanout foreach").getCommandSpec().findOption("--format").paramLabel()).isEqualTo("csv|jsonl|json");
        assertThat(commands().get("fanout rows").getCommandSpec().findOption("--format").paramLabel()).isEqualTo("csv|jsonl|json|parquet");
    }

    @Test
    void sharedOptionsAreWordedForTheirCommand() {
        Map<String, CommandLine> all = commands();
        String runParam = String.join(" ", all.get("fanout run").getCommandSpec().findOption("-p").description());
        assertThat(runParam).doesNotContain("every run").doesNotContain("workflow");
        String foreachParam = String.join(" ", all.get("fanout foreach").getCommandSpec().findOption("-p").description());
        assertThat(foreachParam).contains("every item");
        String rowsJars = String.join(" ", all.get("fanout rows").getCommandSpec().findOption("--jars").description());
        assertThat(rowsJars).doesNotContain("job");
        String workflowParam = String.join(" ", all.get("fanout workflow run").getCommandSpec().findOption("-p").description());
        assertThat(workflowParam).contains("workflow param");
    }

    @Test
    void resumeSaysEveryInheritedOptionDefaultsToTheBatchsValue() {
        CommandSpec resume = commands().get("fanout resume").getCommandSpec();
        // what ResumeCommand lays over the recorded batch (RunOptions.over, SparkOptions.over, SizingOptions.over, --fail-fast)
        for (String name : List.of("--param", "--timeout", "--retries", "--secrets", "--master", "--conf", "--jars", "--parallelism",
                "--cores-per-run", "--executors-per-run", "--max-parallelism", "--fail-fast")) {
            assertThat(String.join(" ", resume.findOption(name).description())).as("resume %s", name).contains("(default: the batch's");
        }
    }
}
