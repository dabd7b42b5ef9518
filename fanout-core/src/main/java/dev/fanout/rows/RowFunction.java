package dev.fanout.rows;

import java.io.Serializable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A function applied to every row of a Dataset, on the executors, by {@link RowFanout}: typically one web API call
 * per row. It starts the call and returns a stage that completes with the result — a {@code String} for the default
 * {@link #resultType()}, or a {@link Row} whose fields match a {@link StructType} result type — or fails. The function
 * is serialized to the executors, so it must be {@link Serializable} and hold no connection or client itself (create
 * those lazily, once per executor JVM, as {@link HttpRowFunction} does).
 *
 * <p>Failures are classified: a {@link RowCallException} says its kind and whether to retry; timeouts and
 * {@link java.io.IOException}s are retried; any other exception is recorded on the row at once (a bug does not heal
 * by calling again).
 */
@FunctionalInterface
public interface RowFunction extends Serializable {

    CompletionStage<?> call(Row row, RowCall call) throws Exception;

    /** The type of the {@code result} column: a string unless the function says otherwise. */
    default DataType resultType() {
        return DataTypes.StringType;
    }

    /**
     * Checks the function fits the input before any call is made (e.g. that the columns a URL template names exist).
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    default void validate(StructType inputSchema) {}

    /** A synchronous function, run on the partition's executor for blocking work, so concurrency still applies. */
    @FunctionalInterface
    interface Blocking extends Serializable {
        Object apply(Row row) throws Exception;
    }

    /** Adapts a blocking function; a call that times out is interrupted. */
    static RowFunction blocking(Blocking f) {
        return (row, call) -> {
            CompletableFuture<Object> result = new CompletableFuture<>();
            Future<?> task = call.blockingExecutor().submit(() -> {
                try {
                    result.complete(f.apply(row));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
            result.whenComplete((v, e) -> task.cancel(true)); // after a timeout: interrupt the call
            return result;
        };
    }
}
