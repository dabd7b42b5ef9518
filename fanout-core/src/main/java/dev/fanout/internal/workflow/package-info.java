/**
 * Running a {@link dev.fanout.workflow.Workflow} on a {@code Fanout}'s engine: the scheduler that starts each task
 * once its upstream ended ({@link WorkflowRun}), the expansion of a task's loops into iterations
 * ({@link Iterations}), the gate that keeps each loop within its {@code concurrency} ({@link IterationGate}), and the
 * history of a run and what a resume keeps ({@link WorkflowRecord}).
 */
package dev.fanout.internal.workflow;
