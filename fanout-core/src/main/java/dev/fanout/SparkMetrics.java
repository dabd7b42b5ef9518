package dev.fanout;

/**
 * What a run (or one attempt) cost: its Spark tasks, summed as Spark's own task metrics report them (the numbers the
 * Spark UI shows per stage), the CPU its own driver thread used, and how long it waited for cores.
 *
 * <p>Where a run's time went: {@code driverCpuNanos} is the driver's work done for it on its thread (planning, code
 * generation, Delta snapshots and commits, collecting results), {@code cpuTimeNanos} the executors' work,
 * {@code taskTimeMillis} how long its tasks held cores, and {@code waitNanos} how long it could not go on because no
 * core was free for it. See {@link BatchCost} for the same per batch.
 *
 * @param jobs              Spark jobs started by the run
 * @param stages            stage attempts submitted (stages skipped because their shuffle output existed are not counted)
 * @param tasks             tasks ended, successfully or not
 * @param taskTimeMillis    time those tasks held a core: the executor's deserialization plus run time of each task (wall
 *                          time on the executors' task threads)
 * @param cpuTimeNanos      executor CPU time of those tasks (deserialization plus run)
 * @param inputBytes        bytes read from storage
 * @param inputRecords      records read from storage
 * @param shuffleReadBytes  shuffle bytes read, local and remote
 * @param shuffleWriteBytes shuffle bytes written
 * @param spilledBytes      memory plus disk bytes spilled
 * @param driverCpuNanos    CPU time of the driver thread that ran the job's code, from the attempt's start to its end
 *                          (the JVM's {@code ThreadMXBean.getThreadCpuTime}): the session and scope set-up, everything the
 *                          job's code did itself, and what Spark does on the calling thread (analysis, optimization,
 *                          planning, code generation and its compilation, Delta's snapshot and commit work, collecting
 *                          results). It does not see work Spark does for the run on its own threads: the DAG scheduler's
 *                          event loop (task serialization), the listener bus, broadcast and subquery threads, Delta's and
 *                          the file index's parallel listing pools, the garbage collector and the JIT compiler; nor the
 *                          executors' work, also not in local mode. 0 where the JVM cannot measure thread CPU time.
 * @param waitNanos         how long the run waited for cores: the wall time during which its Spark jobs had tasks
 *                          ready to run (their stage submitted, the task not yet launched) and none running. Measured
 *                          from the scheduler's event times ({@code StageInfo.submissionTime}, {@code TaskInfo.launchTime}
 *                          and {@code finishTime}, {@code StageInfo.completionTime}); it includes the scheduler's own
 *                          delay before the first launch (milliseconds) and locality waits. Time a run's stage spent with
 *                          some of its tasks running and others queued is not counted: the run was progressing.
 */
public record SparkMetrics(long jobs, long stages, long tasks, long taskTimeMillis, long cpuTimeNanos, long inputBytes,
                           long inputRecords, long shuffleReadBytes, long shuffleWriteBytes, long spilledBytes,
                           long driverCpuNanos, long waitNanos) {

    public static final SparkMetrics ZERO = new SparkMetrics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** The Spark task figures alone (no driver CPU, no waiting): the form before those two were measured. */
    public SparkMetrics(long jobs, long stages, long tasks, long taskTimeMillis, long cpuTimeNanos, long inputBytes,
                        long inputRecords, long shuffleReadBytes, long shuffleWriteBytes, long spilledBytes) {
        this(jobs, stages, tasks, taskTimeMillis, cpuTimeNanos, inputBytes, inputRecords, shuffleReadBytes,
                shuffleWriteBytes, spilledBytes, 0, 0);
    }

    public SparkMetrics plus(SparkMetrics o) {
        return new SparkMetrics(jobs + o.jobs, stages + o.stages, tasks + o.tasks, taskTimeMillis + o.taskTimeMillis,
                cpuTimeNanos + o.cpuTimeNanos, inputBytes + o.inputBytes, inputRecords + o.inputRecords,
                shuffleReadBytes + o.shuffleReadBytes, shuffleWriteBytes + o.shuffleWriteBytes, spilledBytes + o.spilledBytes,
                driverCpuNanos + o.driverCpuNanos, waitNanos + o.waitNanos);
    }

    /** These metrics with {@code driverCpuNanos} set. */
    public SparkMetrics withDriverCpuNanos(long nanos) {
        return new SparkMetrics(jobs, stages, tasks, taskTimeMillis, cpuTimeNanos, inputBytes, inputRecords,
                shuffleReadBytes, shuffleWriteBytes, spilledBytes, nanos, waitNanos);
    }
}
