/**
 * What the command line draws on the terminal: the live progress line (a bar on a terminal, a plain line every few
 * seconds otherwise), the batch's run counts as a listener, and the Ctrl-C trap that stops a batch cleanly.
 */
package dev.fanout.cli.console;
