package dev.fanout.internal.engine;

import dev.fanout.SparkMetrics;
import java.time.Duration;
import org.apache.spark.sql.SparkSession;

/**
 * What the engine needs from Spark, and nothing more: the port between the engine's dispatch, timeout and stop
 * logic and the cluster it runs on. {@code internal.spark.SparkCluster} implements it on a {@code SparkSession};
 * tests use a fake, so the engine's logic is tested in milliseconds with no Spark.
 *
 * <p>A run attempt is identified by its job group, a string never reused. Calls come from several threads at once.
 */
public interface Cluster {

    /** The name of the scheduler pool of slot {@code index} (a permit's index, {@code 0 .. max-1}). */
    String poolName(int index);

    /**
     * Enters an attempt's scope on the calling thread: its session (a new one when {@code newSession}), its job
     * group (interrupt-on-cancel on), description and scheduler pool, restored exactly on {@link Scope#close()}.
     */
    Scope enter(String group, String description, String pool, boolean newSession);

    /** Cancels the group's Spark jobs, also those it submits from now on, and interrupts its session's operations. */
    void cancel(String group, String reason);

    /**
     * Waits until no task of the group runs and none of its stages is pending, at most {@code within}.
     * Returns whether the group was seen idle.
     */
    boolean awaitStopped(String group, Duration within) throws InterruptedException;

    /** Tasks of the group still running, as far as known (for diagnostics). */
    int runningTasks(String group);

    /**
     * Task-nanoseconds the runs' tasks have held cores so far, over every group, the tasks still running included;
     * negative when the cluster cannot tell. Only differences mean anything (the adaptive parallelism reads how busy the
     * task slots were over an interval while runs are in flight).
     */
    default long taskNanos() {
        return -1;
    }

    /** The metrics of the group's tasks so far, forgetting them (call after {@link #awaitStopped}). */
    SparkMetrics takeMetrics(String group);

    /** The cluster's size now: the inputs of a parallelism that follows the cluster. */
    Capacity capacity();

    /**
     * Calls {@code onChange} (on some cluster thread; keep it quick) whenever {@link #capacity()} may have changed, until
     * the returned handle is run.
     */
    Runnable watchCapacity(Runnable onChange);

    /** An attempt's scope on its thread. */
    interface Scope extends AutoCloseable {
        /** The session the attempt runs on (null on a cluster without Spark, in tests). */
        SparkSession session();

        @Override
        void close();
    }

    /**
     * The size of the cluster as a parallelism sees it.
     *
     * @param master     Spark's master URL (for explanations)
     * @param local      local mode: the driver runs the tasks on {@code localCores} cores
     * @param localCores cores of {@code local[N]}; 0 on a cluster
     * @param executors  live executors (the driver not counted); 0 in local mode
     * @param totalCores their cores in all
     */
    record Capacity(String master, boolean local, int localCores, int executors, int totalCores) {
        public static Capacity local(String master, int cores) {
            return new Capacity(master, true, cores, 0, 0);
        }

        public static Capacity executors(String master, int executors, int totalCores) {
            return new Capacity(master, false, 0, executors, totalCores);
        }

        /** The task slots: the driver's cores for tasks in local mode, else the executors' cores. */
        public int taskSlots() {
            return local ? localCores : totalCores;
        }
    }
}
