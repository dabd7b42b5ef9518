package dev.fanout.rows;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;

/**
 * What each Spark task runs: the partition's rows through {@link PartitionCalls}, each out once with its outcome.
 *
 * <p>With {@code visibleSchema} set, each input row ends with its position in the input ({@link RowFanout#ORDINAL},
 * added before the rows were repartitioned): the function sees the row without it, and it is put back at the end of
 * the output row. Positions wait in a queue meanwhile: {@link PartitionCalls} yields rows in the order it took them.
 */
final class PartitionMapper implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final RowFunction fn;
    private final CallSettings settings;
    private final DataType resultType;
    private final RowCounters.Accumulators counters;
    private final StructType visibleSchema;

    /** {@code visibleSchema}: the input's schema without the position column it carries, or null when it has none. */
    PartitionMapper(RowFunction fn, CallSettings settings, DataType resultType, RowCounters.Accumulators counters,
                    StructType visibleSchema) {
        this.fn = fn;
        this.settings = settings;
        this.resultType = resultType;
        this.counters = counters;
        this.visibleSchema = visibleSchema;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        TaskContext task = TaskContext.get();
        ArrayDeque<Object> positions = visibleSchema == null ? null : new ArrayDeque<>();
        Iterator<Row> rows = positions == null ? input : new Iterator<>() {
            @Override
            public boolean hasNext() {
                return input.hasNext();
            }

            @Override
            public Row next() {
                Row full = input.next();
                int n = full.length() - 1;
                Object[] values = new Object[n];
                for (int i = 0; i < n; i++) {
                    values[i] = full.get(i);
                }
                positions.add(full.get(n));
                return new GenericRowWithSchema(values, visibleSchema);
            }
        };
        PartitionCalls calls = new PartitionCalls(rows, fn, settings, task == null ? 0 : task.partitionId());
        if (task != null) {
            // also when the task fails or is killed, or a consumer stops reading early (a limit)
            task.addTaskCompletionListener((TaskCompletionListener) ctx -> calls.close());
        }
        return new Iterator<>() {
            private long callsReported;
            private boolean finished;

            @Override
            public boolean hasNext() {
                boolean more = calls.hasNext();
                if (!more && !finished) {
                    finished = true;
                    reportCalls();
                    calls.close();
                }
                return more;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                PartitionCalls.Done d = calls.next();
                Row out = toRow(d, positions == null ? null : positions.poll());
                reportCalls(); // accumulators are updated on the task thread only: they are not thread-safe
                return out;
            }

            private void reportCalls() {
                long c = calls.calls();
                counters.calls().add(c - callsReported);
                callsReported = c;
            }
        };
    }

    private Row toRow(PartitionCalls.Done d, Object position) {
        Object result = d.result();
        String error = d.error();
        String kind = d.errorKind();
        if (error == null) {
            try {
                result = conform(result);
            } catch (IllegalArgumentException e) {
                result = null;
                error = e.getMessage();
                kind = "bad_result";
            }
        }
        LongAccumulator rows = counters.rows();
        rows.add(1);
        if (error != null) {
            counters.errors().add(1);
            counters.kinds().add(kind);
        }
        Row in = d.row();
        int n = in.length();
        Object[] values = new Object[n + (visibleSchema == null ? 5 : 6)];
        for (int i = 0; i < n; i++) {
            values[i] = in.get(i);
        }
        values[n] = result;
        values[n + 1] = error;
        values[n + 2] = kind;
        values[n + 3] = d.attempts();
        values[n + 4] = d.latencyMillis();
        if (visibleSchema != null) {
            values[n + 5] = position;
        }
        return RowFactory.create(values);
    }

    private Object conform(Object result) {
        if (result == null) {
            return null;
        }
        if (resultType instanceof StructType struct) {
            if (!(result instanceof Row r) || r.length() != struct.size()) {
                throw new IllegalArgumentException("the row function returned " + describe(result) + ", not a Row of "
                        + struct.size() + " fields (" + String.join(", ", struct.fieldNames()) + ")");
            }
            return r;
        }
        return result instanceof String ? result : String.valueOf(result);
    }

    private static String describe(Object o) {
        return o instanceof Row r ? "a Row of " + r.length() + " fields" : "a " + o.getClass().getName();
    }
}
