/**
 * Fan out over rows: one call (typically a web API request) per row of a Dataset, made inside the Spark tasks on the
 * executors, with bounded concurrency per partition, a global rate, per-call timeouts and retries — {@link
 * dev.fanout.rows.RowFanout} with an {@link dev.fanout.rows.HttpRowFunction} or any {@link dev.fanout.rows.RowFunction}.
 * {@link dev.fanout.rows.RowInput} reads the rows from a CSV, JSON or Parquet file and {@link dev.fanout.rows.RowOutput}
 * writes them back as one file in input order (or Spark's directory of part files). Every bad setting is refused
 * before any call by a {@link dev.fanout.rows.RowSettingException} that names it; {@code fanout rows} is a thin
 * command-line front end over this package.
 */
package dev.fanout.rows;
