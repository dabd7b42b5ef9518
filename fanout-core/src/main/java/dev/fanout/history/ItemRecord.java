package dev.fanout.history;

import dev.fanout.RunResult;
import java.util.Map;

/**
 * An item of a batch and how its latest run ended.
 *
 * @param params    the parameters its latest run ran with (a resume may have overridden some), or, before any run,
 *                  as recorded with the batch; secret values masked
 * @param execution the execution of its latest run, 0 when no execution has reached it
 * @param run       its latest run (params masked, attempts with timings, errors and metrics), null when none
 */
public record ItemRecord(int index, Map<String, String> params, int execution, RunResult run) {
    /** The outcome of its latest run, or {@link ItemState#PENDING}. */
    public ItemState state() {
        return run == null ? ItemState.PENDING : ItemState.of(run.outcome());
    }
}
