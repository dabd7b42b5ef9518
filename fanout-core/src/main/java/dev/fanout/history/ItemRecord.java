package dev.fanout.history;

import dev.fanout.RunResult;
import java.util.Map;

/**
 * An item of a batch and how its latest run ended.
 *
 * @param params    as recorded: secret values masked
 * @param execution the execution of its latest run, 0 when no execution has reached it
 * @param run       its latest run (params masked, attempts with timings, errors and metrics), null when none
 */
public record ItemRecord(int index, Map<String, String> params, int execution, RunResult run) {
    /** The outcome name of its latest run, or {@value BatchRecord#PENDING}. */
    public String state() {
        return run == null ? BatchRecord.PENDING : run.outcome().name();
    }
}
