package dev.fanout.cli;

import dev.fanout.BadInputException;
import java.io.PrintWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "fanout", mixinStandardHelpOptions = true, version = "fanout 0.1.0",
        subcommands = {RunCommand.class, ForeachCommand.class, RowsCommand.class, ResumeCommand.class, HistoryCommand.class, ReportCommand.class,
                DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        description = {"Runs a parameterized Spark job many times in parallel inside one Spark application:",
                "bounded slots with a FAIR pool each, per-run isolation, timeouts that cancel the cluster work, retries."})
final class FanoutCommand implements Runnable {
    private static final Pattern LOCAL_N = Pattern.compile("local\\[(\\d+)(?:,\\d+)?]");

    final Environment env;

    @Spec
    CommandSpec spec;

    FanoutCommand(Environment env) {
        this.env = env;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: give one of run, foreach, rows, resume, history, report, demo, bench");
    }

    /** The command line, wired to {@code env}: usage errors print one paragraph and exit 2. */
    static CommandLine commandLine(Environment env) {
        CommandLine cl = new CommandLine(new FanoutCommand(env));
        cl.setOut(new PrintWriter(env.err(), true));
        cl.setErr(new PrintWriter(env.err(), true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine bad = e.getCommandLine();
            bad.getErr().println((bad == cl ? "fanout" : "fanout " + bad.getCommandName()) + ": " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, bad.getErr());
            bad.getErr().println("Try '" + bad.getCommandSpec().qualifiedName() + " --help' for more information.");
            return 2;
        });
        cl.setExecutionExceptionHandler((e, bad, parsed) -> {
            bad.getErr().println("fanout: unexpected error: " + e);
            Throwable root = BatchExecution.rootCause(e);
            if (root != e) {
                bad.getErr().println("  caused by: " + root);
            }
            if (java.util.Arrays.asList(parsed.originalArgs().toArray()).contains("--verbose")) {
                e.printStackTrace(bad.getErr());
            } else {
                bad.getErr().println("  (run with --verbose for the stack trace)");
            }
            return BatchExecution.EXIT_FAILED;
        });
        return cl;
    }

    /** The parallelism given, or the default for the master: N of local[N], the cores for local[*], else 4. */
    static int parallelism(Integer given, String master) {
        if (given != null) {
            if (given < 1) {
                throw new BadInputException("--parallelism must be at least 1, got " + given);
            }
            return given;
        }
        Matcher m = LOCAL_N.matcher(master);
        if (m.matches()) {
            return Math.max(1, Integer.parseInt(m.group(1)));
        }
        if (master.startsWith("local")) {
            return Math.max(2, Runtime.getRuntime().availableProcessors());
        }
        return 4;
    }
}
