package dev.fanout.rows;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Counts of a row fan-out, read on the driver while it runs: rows done, rows in error (by kind) and calls made.
 * Spark accumulators carry them; besides the values merged when tasks end, the values of running tasks arrive with
 * the executors' heartbeats ({@code spark.executor.heartbeatInterval}), so progress moves inside long partitions.
 * The counts include tasks Spark re-ran (a lost executor), so they can exceed the rows written.
 */
public final class RowCounters implements AutoCloseable {

    /** The accumulators shipped to the tasks. */
    record Accumulators(LongAccumulator rows, LongAccumulator errors, LongAccumulator calls, KindCounts kinds)
            implements Serializable {}

    private final SparkContext sc;
    private final Accumulators acc;
    private final Live live;
    private volatile boolean closed;

    /** {@code follow}: also follow running tasks' values from heartbeats (a listener, until {@link #close()}). */
    RowCounters(SparkContext sc, boolean follow) {
        this.sc = sc;
        KindCounts kinds = new KindCounts();
        sc.register(kinds, "fanout row errors by kind");
        this.acc = new Accumulators(sc.longAccumulator("fanout rows done"), sc.longAccumulator("fanout rows in error"),
                sc.longAccumulator("fanout row calls"), kinds);
        this.live = follow ? new Live() : null;
        if (live != null) {
            sc.addSparkListener(live);
        }
    }

    private long running(long accumulatorId) {
        return live == null || closed ? 0 : live.sum(accumulatorId);
    }

    Accumulators accumulators() {
        return acc;
    }

    /** Rows that have their outcome. */
    public long rowsDone() {
        return acc.rows().value() + running(acc.rows().id());
    }

    /** Rows that ended with an error. */
    public long errors() {
        return acc.errors().value() + running(acc.errors().id());
    }

    /** Calls started, retries included. */
    public long calls() {
        return acc.calls().value() + running(acc.calls().id());
    }

    /** Rows in error by kind ({@code http_404}, {@code timeout}, ...), from the tasks that ended. */
    public Map<String, Long> errorsByKind() {
        return acc.kinds().value();
    }

    /**
     * Stops following the running tasks' heartbeats; from then on the counts are the merged values of the tasks that
     * ended (call it once the action is done: a task's last heartbeat value is then not added on top).
     */
    @Override
    public void close() {
        closed = true;
        if (live != null) {
            sc.removeSparkListener(live);
            live.byTask.clear();
        }
    }

    /** The latest value of each of our accumulators in each running task, from heartbeats. */
    private final class Live extends SparkListener {
        private final Map<Long, Map<Long, Long>> byTask = new ConcurrentHashMap<>(); // task id -> accumulator id -> value

        long sum(long accumulatorId) {
            long s = 0;
            for (Map<Long, Long> values : byTask.values()) {
                s += values.getOrDefault(accumulatorId, 0L);
            }
            return s;
        }

        private final Set<Long> ours = Set.of(acc.rows().id(), acc.errors().id(), acc.calls().id());

        @Override
        public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
            for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> t
                    : CollectionConverters.asJava(update.accumUpdates())) {
                long taskId = (Long) t._1();
                for (AccumulableInfo info : CollectionConverters.asJava(t._4())) {
                    if (ours.contains(info.id()) && info.update().isDefined() && info.update().get() instanceof Long v) {
                        byTask.computeIfAbsent(taskId, k -> new ConcurrentHashMap<>()).put(info.id(), v);
                    }
                }
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            byTask.remove(end.taskInfo().taskId()); // its values are merged into the accumulators by now
        }
    }
}
