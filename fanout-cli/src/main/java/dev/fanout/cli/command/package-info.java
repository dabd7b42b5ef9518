/**
 * One class per command ({@code run}, {@code foreach}, {@code resume}, {@code history}, {@code report}, {@code rows},
 * {@code workflow validate}, {@code demo}, {@code bench}). Each checks its input (bad input is a {@link dev.fanout.BadInputException}: exit 2,
 * nothing started), maps its options to {@code Fanout}, {@code Items}, {@code Jobs}, {@code HistoryStore},
 * {@code RowFanout} or {@code Reports}, and prints. {@code BatchLauncher} is what the batch commands share: start
 * Spark, build the {@code Fanout}, run with progress and Ctrl-C, print the summary, JSON and report.
 */
package dev.fanout.cli.command;
