/**
 * Recording a running batch in the history: the listener that writes each run the moment it ends, the execution's
 * start, heartbeat and end. Internal: {@code Fanout.Builder.history} attaches it to every batch.
 */
package dev.fanout.internal.history;
