/**
 * The airline example (the seeds' reference case): a data generator writing Delta tables, {@code ApplyBatch} (MERGE a
 * booking change file, return the days it touched) and {@code DailyMetrics} (recompute one day, replace its
 * partition); {@code fanout demo} runs them. Uses fanout's API only.
 */
package dev.fanout.examples.airline;
