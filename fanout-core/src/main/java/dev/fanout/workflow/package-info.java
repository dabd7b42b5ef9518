/**
 * Workflows: a file of tasks (a {@link dev.fanout.SparkJob} class or a SQL file each) with dependencies, for-each
 * loops and values passed between tasks through {@code {{…}}} references. {@link dev.fanout.workflow.Workflow#read}
 * reads and checks a file into an immutable model ({@link dev.fanout.workflow.Workflow},
 * {@link dev.fanout.workflow.Task}, {@link dev.fanout.workflow.Loop}, {@link dev.fanout.workflow.Template},
 * {@link dev.fanout.workflow.RunIf}); every problem is a {@link dev.fanout.BadInputException} naming the file and the
 * line. Running a workflow is built on this model (see docs/workflows.md).
 */
package dev.fanout.workflow;
