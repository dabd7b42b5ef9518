package dev.fanout.cli.command;

import dev.fanout.BadInputException;
import dev.fanout.Jobs;
import dev.fanout.cli.ExitCode;
import dev.fanout.cli.FanoutCommand;
import dev.fanout.workflow.Loop;
import dev.fanout.workflow.Task;
import dev.fanout.workflow.Workflow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import dev.fanout.Parallelism;
import dev.fanout.cli.option.SizingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code fanout workflow}: workflow files (a pipeline of jobs with dependencies and for-each loops, see
 * docs/workflows.md). {@code run} runs one on the library ({@link dev.fanout.Fanout#run(Workflow, Map, ClassLoader,
 * dev.fanout.workflow.WorkflowListener)}) with the usual options of a batch; {@code validate} reads and checks a file without starting Spark: the format and every reference
 * ({@link Workflow#read}), the {@code -p} names ({@link Workflow#withParams}) and each task's job class or SQL file
 * ({@link Workflow#loadJobs}). A bad file is exit 2 with {@code FILE:LINE: problem}.
 */
@Command(name = "workflow", mixinStandardHelpOptions = true, subcommands = {WorkflowCommand.Run.class, WorkflowCommand.Validate.class},
        description = {"Run or check a workflow file: jobs chained with dependencies, for-each loops and values passed between tasks.",
                "Each task is a SparkJob class or a SQL file; the whole workflow runs inside one Spark application."
                        + " The file's format: docs/workflows.md."},
        exitCodeListHeading = ExitCode.LIST_HEADING,
        exitCodeList = {"0:the workflow ran and nothing failed (run), or the file is valid (validate)",
                "1:a task or an iteration failed (run)", "2:bad usage, or a file that is not valid: nothing was started",
                "130:interrupted (Ctrl-C, SIGTERM)"})
public final class WorkflowCommand implements Runnable {
    @ParentCommand
    FanoutCommand parent;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: give run or validate");
    }

    @Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Run a workflow file on one Spark application.",
                    "Each task starts once its upstream tasks ended (tasks with no path between them run at the same time);"
                            + " every iteration of every loop shares one budget of slots. The file is checked first (as"
                            + " 'fanout workflow validate'); nothing starts when it is not valid.",
                    "Parallelism: --parallelism if given, else the file's 'parallelism', else the default of a batch."
                            + " --timeout and --retries apply to the tasks that set none (nor the file's defaults).",
                    "The run is recorded in the history as one line: 'fanout resume RUN_ID' runs again what did not succeed."},
            footer = {"", "Examples:", "  fanout workflow run airline.yml -p batch=batches/batch-0002.csv --jars jobs.jar",
                    "  fanout workflow run nightly.yml --parallelism 8 --json"},
            exitCodeListHeading = ExitCode.LIST_HEADING,
            exitCodeList = {"0:nothing failed", "1:a task or an iteration failed", "2:a bad file, bad usage or bad input: nothing was started",
                    ExitCode.LIST_INTERRUPTED})
    public static final class Run extends SparkCommand {
        @Parameters(index = "0", paramLabel = "FILE", description = "The workflow file (YAML).")
        Path file;

        @Mixin
        SizingOptions sizing;

        @Override
        int execute() {
            Workflow wf = Workflow.read(file);
            Workflow given = wf.withParams(run.params); // a name the file does not declare: refused here
            ClassLoader loader = WorkflowRunner.loader(spark.jars);
            given.loadJobs(loader);
            Parallelism parallelism = parallelism(wf, sizing, spec.commandLine().getParseResult(), spark.master);
            try (BatchLauncher launcher = new BatchLauncher(env(), "workflow run", spark, run)) {
                return WorkflowRunner.run(launcher, wf, given.params(), parallelism, sizing.executorWait(), loader,
                        (fanout, listener) -> fanout.run(wf.withParallelism(parallelism), run.params, loader, listener));
            }
        }

        /** {@code --parallelism} (and auto's settings) over the file's {@code parallelism}, else the default of a batch. */
        static Parallelism parallelism(Workflow wf, SizingOptions sizing, ParseResult given, String master) {
            return wf.parallelism().isPresent() ? sizing.over(wf.parallelism().get(), given, master) : sizing.parallelism(master);
        }
    }

    @Command(name = "validate", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Check a workflow file without running anything.",
                    "Checks its keys, values, dependencies, cycles, every {{…}} reference, and each task's job class (on the"
                            + " classpath or in --jars) or SQL file."},
            footer = {"", "Example:", "  fanout workflow validate airline.yml -p batch=batches/batch-0002.csv --jars jobs.jar"},
            exitCodeListHeading = ExitCode.LIST_HEADING,
            exitCodeList = {"0:the file is valid (a summary is printed)", "2:it is not (the file, line and problem are printed), or bad usage"})
    public static final class Validate implements Callable<Integer> {
        @ParentCommand
        WorkflowCommand workflow;

        @Parameters(index = "0", paramLabel = "FILE", description = "The workflow file (YAML).")
        Path file;

        @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE",
                description = "Set a workflow parameter (repeatable); it must be one the file declares.")
        Map<String, String> params = new LinkedHashMap<>();

        @Option(names = "--jars", paramLabel = "PATHS", split = ",",
                description = "Comma-separated jars holding the tasks' job classes.")
        List<Path> jars = new ArrayList<>();

        @Override
        public Integer call() {
            FanoutCommand fanout = workflow.parent;
            try {
                Workflow wf = Workflow.read(file).withParams(params);
                ClassLoader loader;
                try {
                    loader = Jobs.classLoader(jars);
                } catch (BadInputException e) {
                    throw new BadInputException("--jars " + e.getMessage());
                }
                wf.loadJobs(loader);
                fanout.env().out().println(summary(wf));
                return ExitCode.OK;
            } catch (BadInputException e) {
                fanout.env().err().println("fanout workflow validate: " + e.getMessage());
                return ExitCode.USAGE;
            }
        }

        private String summary(Workflow wf) {
            List<Task> looping = wf.tasks().stream().filter(Task::loops).toList();
            StringBuilder s = new StringBuilder();
            s.append(file).append(": workflow '").append(wf.name()).append("' is valid: ").append(wf.tasks().size())
                    .append(wf.tasks().size() == 1 ? " task" : " tasks");
            if (!looping.isEmpty()) {
                s.append(", ").append(looping.size()).append(" with loops (")
                        .append(looping.stream().map(Validate::loops).collect(Collectors.joining("; "))).append(")");
            }
            s.append("; params: ").append(wf.params().isEmpty() ? "none" : wf.params().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
            s.append("; parallelism: ").append(wf.parallelism().map(Object::toString).orElse("not set (the runner's)"));
            s.append("; order: ").append(wf.topologicalOrder().stream().map(Task::key).collect(Collectors.joining(" -> ")))
                    .append(".");
            return s.toString();
        }

        private static String loops(Task t) {
            return t.key() + ": " + t.forEach().stream().map(Validate::loop).collect(Collectors.joining(", then "));
        }

        private static String loop(Loop l) {
            String items;
            if (l.items() instanceof Loop.Reference r) {
                items = r.template().text();
            } else if (l.items() instanceof Loop.Values v) {
                items = v.values().size() + (v.values().size() == 1 ? " listed item" : " listed items");
            } else {
                items = "range " + ((Loop.Range) l.items()).spec();
            }
            return "each " + l.as() + " of " + items + l.concurrency().stream().mapToObj(c -> ", at most " + c + " at once")
                    .findFirst().orElse("");
        }
    }
}
