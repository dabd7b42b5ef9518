/** {@code fanout bench}: fanout's per-run overhead against a bare thread pool, the history store's write and read costs, and the ways to run many small jobs from one driver side by side ({@code fanout bench patterns}). */
package dev.fanout.cli.bench;
