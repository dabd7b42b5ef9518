package dev.fanout.internal.engine;

import dev.fanout.FanoutListener;
import dev.fanout.ParamType;
import dev.fanout.RetryPolicy;
import dev.fanout.SparkJob;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.IntUnaryOperator;

/**
 * One batch for the {@link Engine}.
 *
 * @param batchId   the batch's id (never null: the caller makes it)
 * @param indexAt   the item index reported for the n-th item read (identity for a whole batch; the original
 *                  indices when only some items of a batch run again)
 * @param expected  the number of items when known up front
 * @param errors    receives each failed run's last exception (the live object, for {@code Fanout.run})
 * @param listeners this batch's own listeners, called after the engine's (e.g. the history recorder)
 * @param types     the parameter types the items declare ({@code JobContext.declaredType})
 * @param timeout   this batch's per-attempt timeout instead of the engine's; null: the engine's
 * @param retry     this batch's retry policy instead of the engine's; null: the engine's
 * @param gate      holds the dispatcher back until an item may start (a workflow loop's concurrency); null: none
 */
public record BatchRequest(SparkJob job, String batchId, Iterator<? extends Map<String, String>> items,
                           IntUnaryOperator indexAt, OptionalLong expected, BiConsumer<Integer, Throwable> errors,
                           List<FanoutListener> listeners, Map<String, ParamType<?>> types, Duration timeout,
                           RetryPolicy retry, Gate gate) {
    public BatchRequest {
        listeners = List.copyOf(listeners);
        types = Map.copyOf(types);
    }

    /** A batch with the engine's timeout and retries and no gate. */
    public BatchRequest(SparkJob job, String batchId, Iterator<? extends Map<String, String>> items,
                        IntUnaryOperator indexAt, OptionalLong expected, BiConsumer<Integer, Throwable> errors,
                        List<FanoutListener> listeners, Map<String, ParamType<?>> types) {
        this(job, batchId, items, indexAt, expected, errors, listeners, types, null, null, null);
    }

    /** A batch whose items declare no types. */
    public BatchRequest(SparkJob job, String batchId, Iterator<? extends Map<String, String>> items,
                        IntUnaryOperator indexAt, OptionalLong expected, BiConsumer<Integer, Throwable> errors,
                        List<FanoutListener> listeners) {
        this(job, batchId, items, indexAt, expected, errors, listeners, Map.of());
    }
}
