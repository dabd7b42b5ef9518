package dev.fanout;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The result of {@link Fanout#forEach}: every item's outcome in input order, plus totals.
 *
 * @param runs   one result per item, in input order; empty when the batch was built with
 *               {@code retainRuns(false)} (the counts are complete either way)
 * @param counts how many runs ended in each outcome (every outcome present, zero included)
 * @param interrupted true when the batch was stopped by {@link Fanout#abort}, a JVM shutdown or an interrupt
 */
public record BatchResult(String batchId, String job, int parallelism, Instant startedAt, Instant endedAt,
                          Map<Outcome, Long> counts, List<RunResult> runs, boolean interrupted) {

    public BatchResult {
        EnumMap<Outcome, Long> all = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            all.put(o, counts.getOrDefault(o, 0L));
        }
        counts = Collections.unmodifiableMap(all);
        runs = List.copyOf(runs);
    }

    public long count(Outcome outcome) {
        return counts.get(outcome);
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** True when every run succeeded. */
    public boolean succeeded() {
        return count(Outcome.SUCCEEDED) == total();
    }

    public Duration duration() {
        return Duration.between(startedAt, endedAt);
    }
}
