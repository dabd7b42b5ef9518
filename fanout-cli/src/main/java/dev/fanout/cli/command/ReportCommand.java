package dev.fanout.cli.command;

import dev.fanout.cli.ExitCode;
import dev.fanout.cli.FanoutCommand;

import dev.fanout.BadInputException;
import dev.fanout.report.Reports;
import dev.fanout.history.HistoryStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "report", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Write one self-contained HTML file about a recorded batch or workflow run.",
                "No network is needed to view it. Per execution: a timeline with a lane per slot and a bar per run colored by"
                        + " outcome (hover for parameters, attempts, times), runs in flight over time, cluster utilisation, the"
                        + " distribution of run times, the slowest runs and the failures."},
        footer = {"", "Example:", "  fanout report 20261122-143012-3fa9 -o report.html"},
        exitCodeListHeading = ExitCode.LIST_HEADING,
        exitCodeList = {"0:the report was written", "1:an unexpected error", "2:bad usage: an unknown batch, or a file that cannot be written"})
public final class ReportCommand implements Callable<Integer> {
    @ParentCommand
    FanoutCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BATCH_ID", description = "The batch or workflow run, as 'fanout history' lists it.")
    String batchId;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "The HTML file to write.")
    Path output;

    @Option(names = "--history", paramLabel = "FILE",
            description = "The history file (default: $FANOUT_HISTORY, else ~/.fanout/history.db).")
    Path history;

    @Override
    public Integer call() throws Exception {
        try (HistoryStore store = BatchLauncher.open(history != null ? history : parent.env().history())) {
            store.require(batchId);
            if (java.nio.file.Files.isDirectory(output)) {
                throw new BadInputException("-o " + output + " is a directory; give a file name");
            }
            Reports.html(store, batchId, output);
            parent.env().err().println("report: " + output.toAbsolutePath());
            return 0;
        } catch (BadInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
