package dev.fanout.history;

import dev.fanout.BadInputException;
import dev.fanout.Redaction;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a resume of a recorded batch runs, and why it may not.
 *
 * <h2>Resume rules</h2>
 * An item's state is its latest recorded run (PENDING when no execution reached it, e.g. the driver died first).
 * A resume runs every item that is not SUCCEEDED, under its original index, as a new execution of the same batch:
 * the batch id stays, so the history, the report and a later resume see one batch. Parameters are the item's latest
 * recorded ones with {@code overrides} on top. Refused, before anything starts: a batch whose latest execution is
 * still RUNNING (its process alive: the store marks dead ones INTERRUPTED when it reads them), a batch of another
 * job, and a secret parameter that was masked in the history and is not given again in {@code overrides}.
 *
 * @param items the items to run, by original index (empty when every item succeeded)
 */
public record ResumePlan(BatchRecord batch, SortedMap<Integer, Map<String, String>> items) {

    public static ResumePlan of(HistoryStore store, String batchId, String jobName, Map<String, String> overrides,
                                Redaction redaction) {
        BatchRecord batch = store.require(batchId);
        Execution latest = batch.latest();
        if (latest.state() == ExecutionState.RUNNING) {
            throw new BadInputException("batch " + batchId + " is still running (execution " + latest.seq() + ", pid "
                    + latest.pid() + " on " + latest.host() + "); wait for it to end or stop it first");
        }
        if (jobName != null && !jobName.equals(batch.job())) {
            throw new BadInputException("batch " + batchId + " ran job " + batch.job() + ", not " + jobName);
        }
        TreeMap<Integer, Map<String, String>> items = new TreeMap<>();
        for (ItemRecord item : store.items(batchId)) {
            if (item.state().resumable()) {
                Map<String, String> params = new LinkedHashMap<>(item.params());
                params.putAll(overrides);
                params.forEach((k, v) -> {
                    if (Redaction.MASK.equals(v) && redaction.isSecret(k)) {
                        throw new BadInputException("parameter '" + k + "' of batch " + batchId
                                + " is a secret and was not recorded; give it again: -p " + k + "=VALUE");
                    }
                });
                items.put(item.index(), Collections.unmodifiableMap(params));
            }
        }
        return new ResumePlan(batch, Collections.unmodifiableSortedMap(items));
    }
}
