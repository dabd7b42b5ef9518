/**
 * fanout from a driver program, as a notebook uses it: a plain SparkSession, {@code Parallelism.auto()} on executors
 * that registered first, history, resume and report through the public API only.
 */
package dev.fanout.examples.driver;
