package dev.fanout;

/**
 * What a run (or one attempt) cost the cluster, summed over the tasks of its Spark jobs, as Spark's
 * own task metrics report them (the numbers the Spark UI shows per stage).
 *
 * @param jobs              Spark jobs started by the run
 * @param stages            stage attempts submitted (stages skipped because their shuffle output existed are not counted)
 * @param tasks             tasks ended, successfully or not
 * @param taskTimeMillis    executor run time of those tasks (wall time on the executors' task threads)
 * @param cpuTimeNanos      executor CPU time of those tasks
 * @param inputBytes        bytes read from storage
 * @param inputRecords      records read from storage
 * @param shuffleReadBytes  shuffle bytes read, local and remote
 * @param shuffleWriteBytes shuffle bytes written
 * @param spilledBytes      memory plus disk bytes spilled
 */
public record SparkMetrics(long jobs, long stages, long tasks, long taskTimeMillis, long cpuTimeNanos, long inputBytes,
                           long inputRecords, long shuffleReadBytes, long shuffleWriteBytes, long spilledBytes) {

    public static final SparkMetrics ZERO = new SparkMetrics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public SparkMetrics plus(SparkMetrics o) {
        return new SparkMetrics(jobs + o.jobs, stages + o.stages, tasks + o.tasks, taskTimeMillis + o.taskTimeMillis,
                cpuTimeNanos + o.cpuTimeNanos, inputBytes + o.inputBytes, inputRecords + o.inputRecords,
                shuffleReadBytes + o.shuffleReadBytes, shuffleWriteBytes + o.shuffleWriteBytes, spilledBytes + o.spilledBytes);
    }
}
