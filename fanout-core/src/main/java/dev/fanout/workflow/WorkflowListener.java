package dev.fanout.workflow;

import java.time.Instant;

/**
 * Hears a workflow run's tasks start and end (the command line prints them); each iteration's runs are heard by the
 * {@code Fanout}'s {@link dev.fanout.FanoutListener}s, as any batch's. Called from the workflow's threads: keep it
 * quick and thread-safe.
 */
public interface WorkflowListener {
    /** A task starts its iterations ({@code iterations} of them; {@code kept} of those kept from the history). */
    default void onTaskStart(String runId, String key, int iterations, int kept, Instant at) {}

    /** A task ended, however: ran, failed, was skipped or kept. */
    default void onTaskEnd(String runId, TaskResult result) {}

    /** Says nothing. */
    WorkflowListener NONE = new WorkflowListener() {};
}
