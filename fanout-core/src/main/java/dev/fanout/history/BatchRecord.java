package dev.fanout.history;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A batch as the history knows it.
 *
 * @param options     the options of its first execution (JSON on the command line)
 * @param itemsSource where its items came from (a file, a range), for people
 * @param counts      items by their latest state: an {@link dev.fanout.Outcome} name, or {@value #PENDING} for
 *                    items no execution has reached yet (every key present, zero included)
 * @param state       the latest execution's state, or SUCCEEDED once every item has succeeded
 */
public record BatchRecord(String id, String job, String options, String itemsSource, int itemCount, Instant createdAt,
                          List<Execution> executions, Map<String, Long> counts, String state) {
    public static final String PENDING = "PENDING";

    public BatchRecord {
        executions = List.copyOf(executions);
        counts = Map.copyOf(counts);
    }

    public long count(String state) {
        return counts.getOrDefault(state, 0L);
    }

    public Execution latest() {
        return executions.get(executions.size() - 1);
    }

    /** Time spent running: the sum of its executions' wall times (a running one counts up to now). */
    public Duration busyTime() {
        Duration d = Duration.ZERO;
        for (Execution e : executions) {
            d = d.plus(Duration.between(e.startedAt(), e.endedAt() == null ? Instant.now() : e.endedAt()));
        }
        return d;
    }
}
