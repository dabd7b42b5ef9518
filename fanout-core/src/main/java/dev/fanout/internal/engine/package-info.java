/**
 * The engine: runs a job over many parameter sets within one budget of run slots per {@code Fanout}
 * ({@link dev.fanout.internal.engine.Limiter}), with timeouts, retries and stops. It talks to Spark only through the
 * {@link dev.fanout.internal.engine.Cluster} port and waits only through the {@link dev.fanout.internal.engine.Ticker},
 * so its logic is tested on a fake cluster with a manual clock; {@code internal.spark} holds the Spark side.
 */
package dev.fanout.internal.engine;
