/**
 * The history of batches: the {@link dev.fanout.history.HistoryStore} interface (SQLite file or in memory), the
 * records it returns ({@link dev.fanout.history.BatchRecord}, {@link dev.fanout.history.Execution},
 * {@link dev.fanout.history.ItemRecord}), the lifecycles of an execution and an item
 * ({@link dev.fanout.history.ExecutionState}, {@link dev.fanout.history.ItemState}) and the typed record of how a
 * batch was started ({@link dev.fanout.history.BatchSpec}), from which a resume starts it again.
 */
package dev.fanout.history;
