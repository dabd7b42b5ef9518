package dev.fanout.cli;

import dev.fanout.ErrorInfo;
import dev.fanout.cli.command.BenchCommand;
import dev.fanout.cli.command.DemoCommand;
import dev.fanout.cli.command.ForeachCommand;
import dev.fanout.cli.command.HistoryCommand;
import dev.fanout.cli.command.ReportCommand;
import dev.fanout.cli.command.ResumeCommand;
import dev.fanout.cli.command.RowsCommand;
import dev.fanout.cli.command.RunCommand;
import dev.fanout.cli.command.WorkflowCommand;
import java.io.PrintWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code fanout} command: its subcommands, and how usage errors (exit 2) and unexpected errors (exit 1) are printed. */
@Command(name = "fanout", mixinStandardHelpOptions = true, version = "fanout 0.1.0", resourceBundle = "dev.fanout.cli.help",
        subcommands = {RunCommand.class, ForeachCommand.class, RowsCommand.class, ResumeCommand.class, HistoryCommand.class, ReportCommand.class,
                DemoCommand.class, BenchCommand.class, WorkflowCommand.class, CommandLine.HelpCommand.class},
        description = {"Runs a parameterized Spark job many times in parallel inside one Spark application: bounded slots with a"
                + " FAIR pool each, a fresh session per run, timeouts that cancel the cluster work, retries, and a history to"
                + " resume from."},
        footer = {"", "Examples:", "  fanout demo", "  fanout foreach com.example.DailyMetrics --range day=2024-01-01..2024-03-31 --jars my-jobs.jar",
                "  fanout history", "", "'fanout COMMAND --help' shows a command's options."},
        exitCodeListHeading = ExitCode.LIST_HEADING, exitCodeList = {ExitCode.LIST_OK, ExitCode.LIST_FAILED, ExitCode.LIST_USAGE, ExitCode.LIST_INTERRUPTED})
public final class FanoutCommand implements Runnable {
    private final Environment env;

    @Spec
    CommandSpec spec;

    FanoutCommand(Environment env) {
        this.env = env;
    }

    /** What the commands talk to: output streams, the Spark provider, the default history file. */
    public Environment env() {
        return env;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: give one of run, foreach, rows, resume, history, report, workflow, demo, bench");
    }

    /** picocli's "Value for option option '--param' (KEY=VALUE) should be in KEY=VALUE format but was x" (the word doubled). */
    private static final Pattern NOT_KEY_VALUE =
            Pattern.compile("Value for option option '([^']+)' \\(([^)]*)\\) should be in KEY=VALUE format but was (.*)", Pattern.DOTALL);

    /** A usage error's message; picocli's own wording where it does not name the problem plainly. */
    static String message(ParameterException e) {
        String message = String.valueOf(e.getMessage());
        Matcher m = NOT_KEY_VALUE.matcher(message);
        if (m.matches()) {
            return m.group(1) + ": expected " + m.group(2) + ", got '" + m.group(3) + "' (no '=')";
        }
        return message;
    }

    /** The command line, wired to {@code env}: usage errors print one paragraph and exit 2. */
    public static CommandLine commandLine(Environment env) {
        CommandLine cl = new CommandLine(new FanoutCommand(env));
        cl.setOut(new PrintWriter(env.err(), true));
        cl.setErr(new PrintWriter(env.err(), true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        HelpLayout.install(cl);
        cl.getSubcommands().get("help").getCommandSpec().usageMessage().exitCodeListHeading(ExitCode.LIST_HEADING)
                .exitCodeList(java.util.Map.of("0", "the help was shown", "2", "bad usage: an unknown command"));
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine bad = e.getCommandLine();
            bad.getErr().println(bad.getCommandSpec().qualifiedName() + ": " + message(e)); // e.g. fanout workflow run
            CommandLine.UnmatchedArgumentException.printSuggestions(e, bad.getErr());
            bad.getErr().println("Try '" + bad.getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((e, bad, parsed) -> {
            bad.getErr().println("fanout: unexpected error: " + e);
            Throwable root = ErrorInfo.rootCause(e);
            if (root != e) {
                bad.getErr().println("  caused by: " + root);
            }
            if (java.util.Arrays.asList(parsed.originalArgs().toArray()).contains("--verbose")) {
                e.printStackTrace(bad.getErr());
            } else {
                bad.getErr().println("  (run with --verbose for the stack trace)");
            }
            return ExitCode.FAILED;
        });
        return cl;
    }
}
