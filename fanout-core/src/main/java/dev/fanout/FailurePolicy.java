package dev.fanout;

/** What a batch does when a run fails or times out. */
public enum FailurePolicy {
    /** Keep going: one failing item never stops the others (the default). */
    CONTINUE,
    /** Stop at the first failure: cancel the runs in flight on the cluster and skip the rest. */
    FAIL_FAST
}
