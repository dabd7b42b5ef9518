/**
 * fanout's command line, a thin layer over {@code fanout-core}'s API: {@link dev.fanout.cli.Main} and {@link
 * dev.fanout.cli.FanoutCommand} (usage errors exit 2, unexpected ones 1), the {@link dev.fanout.cli.Environment} the
 * commands talk to (streams, the {@link dev.fanout.cli.SparkProvider}, the default history file) and the {@link
 * dev.fanout.cli.ExitCode}s. Commands map their options to the library and print; they hold no batch logic.
 */
package dev.fanout.cli;
