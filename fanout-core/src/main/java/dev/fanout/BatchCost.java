package dev.fanout;

import java.time.Duration;

/**
 * Where a batch's time went: the CPU of the driver's process, what its runs cost on the driver and on the executors,
 * and how busy each side was. Measured by the engine from the batch's start to its end; on {@link BatchResult#cost()}
 * and recorded with the execution in the history.
 *
 * <pre>{@code
 * BatchCost c = fanout.forEach(job, items).cost();
 * System.out.printf("driver %.0f%% of %d cores, executors %.0f%% of %d slots%n",
 *         100 * c.driverBusy(), c.driverCores(), 100 * c.clusterUtilisation(), c.taskSlots());
 * if (c.driverBound()) { ... fewer, larger runs; less planning per run }
 * }</pre>
 *
 * <h2>Driver-bound</h2>
 * {@link #driverBound()} holds when the batch took at least {@value #MIN_WALL_MILLIS} ms, the driver was busy at least
 * {@value #DRIVER_BUSY} of its cores ({@link #driverBusy()}) and the executors' task slots were busy less than
 * {@value #CLUSTER_IDLE} of the time ({@link #clusterUtilisation()}). Then the driver's work per run (planning, code
 * generation, Delta snapshots and commits, results) is what limits the batch: fewer, larger runs or less of that work
 * per run will help; more parallelism will not, there is no driver core left to plan another run on.
 *
 * @param processCpuNanos  CPU time (user + system) of the whole driver JVM over the batch
 *                         ({@code OperatingSystemMXBean.getProcessCpuTime} at its start and end); -1 when the JVM does not
 *                         tell. In local mode it includes the executors' task threads. Other batches running in the same
 *                         JVM at the same time (a workflow's tasks) are in it too.
 * @param driverCpuNanos   the runs' driver CPU summed ({@link SparkMetrics#driverCpuNanos()}: the threads that ran the
 *                         jobs' code)
 * @param executorCpuNanos the runs' executor CPU summed ({@link SparkMetrics#cpuTimeNanos()})
 * @param taskTimeMillis   the runs' task time summed ({@link SparkMetrics#taskTimeMillis()})
 * @param waitNanos        the runs' waiting for cores summed ({@link SparkMetrics#waitNanos()}); run-seconds, several
 *                         runs may wait at once
 * @param wallNanos        the batch's wall time
 * @param driverCores      the driver JVM's processors ({@code Runtime.availableProcessors})
 * @param taskSlots        cores for tasks at the batch's end: {@code N} of {@code local[N]}, or the executors' cores; 0
 *                         when unknown
 * @param local            the executors run inside the driver's JVM (a {@code local} master), so the process CPU covers
 *                         both
 */
public record BatchCost(long processCpuNanos, long driverCpuNanos, long executorCpuNanos, long taskTimeMillis,
                        long waitNanos, long wallNanos, int driverCores, int taskSlots, boolean local) {

    /** A batch that took less time than this is never called driver-bound: too short to tell. */
    public static final long MIN_WALL_MILLIS = 1000;
    /** {@link #driverBusy()} at or above this (with the cluster mostly idle) is driver-bound. */
    public static final double DRIVER_BUSY = 0.6;
    /** {@link #clusterUtilisation()} below this (with the driver busy) is driver-bound. */
    public static final double CLUSTER_IDLE = 0.5;

    /** Nothing measured (a batch that ran nothing, or a result built by hand). */
    public static final BatchCost NONE = new BatchCost(-1, 0, 0, 0, 0, 0, 0, 0, false);

    /** The process CPU is known. */
    public boolean measured() {
        return processCpuNanos >= 0;
    }

    /**
     * CPU the driver spent on everything that was not an executor's task: in local mode the process CPU minus the
     * executors' CPU, on a cluster the process CPU. It includes the runs' own threads ({@link #driverCpuNanos}) and the
     * driver's other work: Spark's scheduler, listener bus and pools, GC, JIT, fanout's history. 0 when not measured.
     */
    public long driverSideCpuNanos() {
        if (!measured()) {
            return 0;
        }
        return Math.max(0, local ? processCpuNanos - executorCpuNanos : processCpuNanos);
    }

    /**
     * The driver's share of all the CPU the batch used: {@link #driverSideCpuNanos} / (driver side + executor CPU);
     * in local mode that is (process CPU - executor CPU) / process CPU. 0 when nothing was measured.
     */
    public double driverShare() {
        long driver = driverSideCpuNanos();
        long all = driver + executorCpuNanos;
        return all <= 0 ? 0 : (double) driver / all;
    }

    /** How busy the driver's cores were: {@link #driverSideCpuNanos} / (driver cores x wall), 0 when unknown. */
    public double driverBusy() {
        return driverCores <= 0 || wallNanos <= 0 ? 0 : (double) driverSideCpuNanos() / ((double) driverCores * wallNanos);
    }

    /** How busy the task slots were: task time / (task slots x wall), 0 when unknown. */
    public double clusterUtilisation() {
        return taskSlots <= 0 || wallNanos <= 0 ? 0 : taskTimeMillis * 1e6 / ((double) taskSlots * wallNanos);
    }

    /** The batch was limited by its driver's CPU, not by the cluster (see the class's rule). */
    public boolean driverBound() {
        return measured() && wallNanos >= MIN_WALL_MILLIS * 1_000_000L && driverBusy() >= DRIVER_BUSY
                && clusterUtilisation() < CLUSTER_IDLE;
    }

    public Duration wall() {
        return Duration.ofNanos(wallNanos);
    }
}
