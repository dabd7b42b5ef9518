/**
 * The Spark side of the engine: {@link dev.fanout.internal.spark.SparkCluster} implements the engine's
 * {@code Cluster} port with thread-local run scopes, job-group cancels, a listener that knows when a group's tasks
 * have stopped, FAIR pools, and the executors of the live cluster ({@link dev.fanout.internal.spark.ExecutorTracker},
 * which Spark itself instantiates through {@code spark.extraListeners}).
 */
package dev.fanout.internal.spark;
