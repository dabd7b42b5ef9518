/** A self-contained sample job (it synthesizes its data), for trying the command line without a project of one's own. */
package dev.fanout.cli.sample;
