package dev.fanout.cli;

import java.io.PrintStream;

/**
 * What the commands talk to: the output streams and the Spark session provider. {@link Main} uses the
 * real ones; tests pass their own.
 *
 * @param stderrIsTerminal whether to draw the live progress bar (else a plain line every few seconds)
 * @param history          the history file used when {@code --history} is not given
 */
public record Environment(PrintStream out, PrintStream err, SparkProvider spark, boolean stderrIsTerminal,
                          java.nio.file.Path history) {}
