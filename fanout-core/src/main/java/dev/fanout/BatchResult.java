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
 * @param cost   where its time went: process CPU, driver and executor CPU, waiting, how busy the driver and the
 *               cluster were ({@link BatchCost#NONE} when not measured)
 */
public record BatchResult(String batchId, String job, int parallelism, Instant startedAt, Instant endedAt,
                          Map<Outcome, Long> counts, List<RunResult> runs, boolean interrupted, BatchCost cost) {

    /** A result without measured cost ({@link BatchCost#NONE}). */
    public BatchResult(String batchId, String job, int parallelism, Instant startedAt, Instant endedAt,
                       Map<Outcome, Long> counts, List<RunResult> runs, boolean interrupted) {
        this(batchId, job, parallelism, startedAt, endedAt, counts, runs, interrupted, BatchCost.NONE);
    }

    public BatchResult {
        cost = cost == null ? BatchCost.NONE : cost;
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

    /** CPU time of the driver's JVM over the batch, -1 when not measured ({@link BatchCost#processCpuNanos}). */
    public long processCpuNanos() {
        return cost.processCpuNanos();
    }

    /** The driver's share of the CPU the batch used ({@link BatchCost#driverShare}). */
    public double driverShare() {
        return cost.driverShare();
    }

    /** Executor task time / (task slots x wall) ({@link BatchCost#clusterUtilisation}). */
    public double clusterUtilisation() {
        return cost.clusterUtilisation();
    }

    /** The same batch with other runs (e.g. redacted ones), everything else kept. */
    public BatchResult withRuns(List<RunResult> runs) {
        return new BatchResult(batchId, job, parallelism, startedAt, endedAt, counts, runs, interrupted, cost);
    }
}
