/**
 * The SQLite history file behind {@link dev.fanout.history.HistoryStore#sqlite}: {@code SqliteHistoryStore} (queries
 * and row mapping), {@code Schema} (tables, versions, migrations), {@code SqliteFile} (creation for the owner only,
 * opening with the BUSY retry, error messages naming the file) and {@code ProcessLiveness} (finding executions whose
 * process died). Callers use the {@code HistoryStore} interface; only the store's {@code open} is public.
 */
package dev.fanout.history.sqlite;
