/** {@code fanout bench}: fanout's per-run overhead against a bare thread pool, and the history store's write and read costs. */
package dev.fanout.cli.bench;
