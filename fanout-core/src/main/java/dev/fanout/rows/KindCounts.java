package dev.fanout.rows;

import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.util.AccumulatorV2;

/** Rows in error counted by kind: a map of a few keys, however many rows fail (a list would grow with them). */
final class KindCounts extends AccumulatorV2<String, Map<String, Long>> {
    private static final long serialVersionUID = 1L;

    private final TreeMap<String, Long> counts = new TreeMap<>();

    @Override
    public boolean isZero() {
        synchronized (counts) {
            return counts.isEmpty();
        }
    }

    @Override
    public AccumulatorV2<String, Map<String, Long>> copy() {
        KindCounts c = new KindCounts();
        synchronized (counts) {
            c.counts.putAll(counts);
        }
        return c;
    }

    @Override
    public void reset() {
        synchronized (counts) {
            counts.clear();
        }
    }

    @Override
    public void add(String kind) {
        synchronized (counts) {
            counts.merge(kind, 1L, Long::sum);
        }
    }

    @Override
    public void merge(AccumulatorV2<String, Map<String, Long>> other) {
        Map<String, Long> theirs = other.value();
        synchronized (counts) {
            theirs.forEach((k, v) -> counts.merge(k, v, Long::sum));
        }
    }

    @Override
    public Map<String, Long> value() {
        synchronized (counts) {
            return new TreeMap<>(counts);
        }
    }
}
