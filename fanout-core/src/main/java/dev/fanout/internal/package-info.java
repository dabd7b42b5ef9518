/**
 * fanout's machinery, not an API: the engine (slots, attempts, limits, retries, stop and skip), its adapters to Spark,
 * and small shared pieces (batch ids, backoff). Public types here are public only because the API packages need them;
 * nothing outside {@code fanout-core} may use them, and they change without notice.
 */
package dev.fanout.internal;
