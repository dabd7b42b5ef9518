package dev.fanout.internal.engine;

import dev.fanout.Attempt;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code Order.LONGEST_FIRST}: the expected duration of each item from the history (the latest succeeded run of the
 * same job with the same parameters, in the newest {@value #BATCHES_READ} batches), and the start order it gives:
 * longest first, items without an earlier run counted as the median of those with one, ties in input order (a stable
 * sort). This is the longest-processing-time-first rule of list scheduling: whatever starts last should be short, so
 * the batch's end is not one long run alone.
 */
public final class LongestFirst {
    /** How many recent batches are read for durations. */
    static final int BATCHES_READ = 50;

    private LongestFirst() {}

    /**
     * Expected milliseconds per item, by its parameters as the history records them (secrets masked by
     * {@code mask}); empty when the history has no succeeded run of {@code job}.
     */
    public static Map<Map<String, String>, Long> expectedMillis(HistoryStore history, String job) {
        Map<Map<String, String>, Long> out = new HashMap<>();
        for (BatchRecord b : history.batches(BATCHES_READ)) {
            if (!b.job().equals(job)) {
                continue;
            }
            for (ItemRecord i : history.items(b.id())) {
                RunResult r = i.run();
                if (r == null || r.outcome() != Outcome.SUCCEEDED || r.attempts().isEmpty()) {
                    continue;
                }
                Attempt last = r.attempts().get(r.attempts().size() - 1);
                if (last.startedAt() == null || last.endedAt() == null) {
                    continue;
                }
                out.putIfAbsent(r.params(), Duration.between(last.startedAt(), last.endedAt()).toMillis()); // newest first
            }
        }
        return out;
    }

    /**
     * The start order of {@code items}: {@code order[k]} is the index of the item to start k-th; null when no item has
     * an expected duration (input order).
     *
     * @param mask the parameters as the history records them (secrets masked)
     */
    public static int[] order(List<? extends Map<String, String>> items, Map<Map<String, String>, Long> expected,
                              UnaryOperator<Map<String, String>> mask) {
        if (expected.isEmpty()) {
            return null;
        }
        long[] millis = new long[items.size()];
        List<Long> known = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Long m = expected.get(mask.apply(items.get(i)));
            millis[i] = m == null ? -1 : m;
            if (m != null) {
                known.add(m);
            }
        }
        if (known.isEmpty()) {
            return null;
        }
        known.sort(null);
        long median = known.get(known.size() / 2);
        for (int i = 0; i < millis.length; i++) {
            if (millis[i] < 0) {
                millis[i] = median;
            }
        }
        Integer[] idx = new Integer[items.size()];
        Arrays.setAll(idx, i -> i);
        Arrays.sort(idx, (a, b) -> Long.compare(millis[b], millis[a])); // stable: ties keep input order
        return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }
}
