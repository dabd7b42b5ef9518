/**
 * fanout's API: run a parameterized Spark job many times in parallel inside one Spark application.
 * {@link dev.fanout.Fanout} (built with {@link dev.fanout.Fanout#builder}) runs a {@link dev.fanout.SparkJob} over
 * {@link dev.fanout.Items} with a {@link dev.fanout.Parallelism}, a timeout, a {@link dev.fanout.RetryPolicy} and secrets
 * masked everywhere, records each batch in a history store, resumes what did not succeed and writes the report. This
 * package holds only the API: the engine and the Spark adapters are in {@code dev.fanout.internal}, which no caller
 * should use (an architecture test keeps the command line and the examples to the API packages).
 */
package dev.fanout;
