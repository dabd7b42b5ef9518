/**
 * Workflows: a file of tasks (a {@link dev.fanout.SparkJob} class or a SQL file each) with dependencies, for-each
 * loops and values passed between tasks through {@code {{…}}} references. {@link dev.fanout.workflow.Workflow#read}
 * reads and checks a file into an immutable model ({@link dev.fanout.workflow.Workflow},
 * {@link dev.fanout.workflow.Task}, {@link dev.fanout.workflow.Loop}, {@link dev.fanout.workflow.Template},
 * {@link dev.fanout.workflow.RunIf}); every problem is a {@link dev.fanout.BadInputException} naming the file and the
 * line. {@link dev.fanout.Fanout#run(Workflow, java.util.Map)} runs it on one {@code Fanout}'s slots and returns a
 * {@link dev.fanout.workflow.WorkflowResult} (each task's {@link dev.fanout.workflow.TaskResult}: outcome, value,
 * iterations); {@link dev.fanout.Fanout#resume(Workflow, String, java.util.Map)} runs again what did not succeed;
 * a {@link dev.fanout.workflow.WorkflowListener} hears tasks start and end. See docs/workflows.md.
 */
package dev.fanout.workflow;
