package dev.fanout.internal.workflow;

import dev.fanout.FanoutListener;
import dev.fanout.RunResult;
import dev.fanout.internal.engine.Gate;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Hands out one task's iterations to its batch so that each loop stays within its {@code concurrency} and the
 * workflow within its own cap ({@link Slots}), without holding a slot of the shared budget while an iteration
 * waits: it is the batch's {@link Gate} (the dispatcher waits here before it asks for a permit), its item iterator
 * (handing out the iteration the gate reserved), and a listener of its runs (an ended run frees its place).
 *
 * <h2>What concurrency means with nested loops</h2>
 * Loop {@code k}'s concurrency {@code c} caps, for each combination of the outer loops' items, how many of loop
 * {@code k}'s items have iterations in flight at once: {@code for region (2) / for day (4)} runs at most 2 regions at
 * once and at most 4 days of each of them (8 runs), all within the workflow's slots. An outer loop's item stays "in
 * flight" while any of its inner iterations runs.
 *
 * <p>Items are handed out in item order, except that one waiting for its loop's turn is passed over for a later one
 * that may go (the next region, while the first has its 4 days in flight). The search skips a blocked outer item's
 * whole group at once, so picking is cheap also for thousands of iterations.
 */
final class IterationGate implements Gate, Iterator<Map<String, String>>, FanoutListener {
    /** The workflow run's own cap on runs in flight over all its tasks, and the lock every gate of the run shares. */
    static final class Slots {
        final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        final java.util.concurrent.locks.Condition changed = lock.newCondition();
        final int cap;
        int inFlight;

        /** @param cap the most runs in flight over the whole workflow; {@link Integer#MAX_VALUE} for no cap of its own */
        Slots(int cap) {
            this.cap = cap;
        }
    }

    private final Slots slots;
    private final List<Iterations.Iteration> items;
    private final int[] indices;
    private final int[] concurrency;
    private final int levels;
    /** groupEnd[k][j]: the first position after j whose path differs from j's in loops 0..k. */
    private final int[][] groupEnd;
    private final BitSet remaining = new BitSet();
    private final BitSet holding = new BitSet();
    /** runs in flight under each prefix of a path: "k:i0,i1,..,ik" -> runs */
    private final Map<String, Integer> active = new HashMap<>();
    /** distinct in-flight items of loop k+1 under each prefix "k:..." (and "-1:" for loop 0) */
    private final Map<String, Integer> children = new HashMap<>();
    private int reserved = -1;
    private int lastIndex = -1;

    /**
     * @param items       the iterations to run, in item order
     * @param indices     the index each one is recorded under (a resume runs some of a task batch's items)
     * @param concurrency each loop's cap, 0 for none
     */
    IterationGate(Slots slots, List<Iterations.Iteration> items, int[] indices, int[] concurrency) {
        this.slots = slots;
        this.items = List.copyOf(items);
        this.indices = indices.clone();
        this.concurrency = concurrency.clone();
        this.levels = concurrency.length;
        this.groupEnd = new int[levels][items.size()];
        for (int k = 0; k < levels; k++) {
            for (int j = items.size() - 1; j >= 0; j--) {
                groupEnd[k][j] = j + 1 < items.size() && samePrefix(j, j + 1, k) ? groupEnd[k][j + 1] : j + 1;
            }
        }
        remaining.set(0, items.size());
    }

    private boolean samePrefix(int a, int b, int k) {
        int[] pa = items.get(a).path();
        int[] pb = items.get(b).path();
        for (int i = 0; i <= k; i++) {
            if (pa[i] != pb[i]) {
                return false;
            }
        }
        return true;
    }

    private String prefix(int position, int k) {
        int[] p = items.get(position).path();
        StringBuilder sb = new StringBuilder().append(k).append(':');
        for (int i = 0; i <= k; i++) {
            sb.append(p[i]).append(',');
        }
        return sb.toString();
    }

    @Override
    public void awaitReady(BooleanSupplier stopped) throws InterruptedException {
        slots.lock.lock();
        try {
            while (reserved < 0 && !remaining.isEmpty() && !stopped.getAsBoolean()) {
                int j = firstReady();
                if (j >= 0) {
                    take(j);
                    reserved = j;
                    return;
                }
                slots.changed.await(200, TimeUnit.MILLISECONDS);
            }
        } finally {
            slots.lock.unlock();
        }
    }

    /** The first remaining position that may start now, or -1. */
    private int firstReady() {
        if (slots.inFlight >= slots.cap) {
            return -1;
        }
        int j = remaining.nextSetBit(0);
        outer:
        while (j >= 0) {
            for (int k = 0; k < levels; k++) {
                if (concurrency[k] > 0 && active.getOrDefault(prefix(j, k), 0) == 0
                        && children.getOrDefault(k == 0 ? "-1:" : prefix(j, k - 1), 0) >= concurrency[k]) {
                    j = remaining.nextSetBit(groupEnd[k][j]); // every item of this group waits as well
                    continue outer;
                }
            }
            return j;
        }
        return -1;
    }

    private void take(int j) {
        remaining.clear(j);
        holding.set(j);
        slots.inFlight++;
        for (int k = 0; k < levels; k++) {
            String key = prefix(j, k);
            if (active.merge(key, 1, Integer::sum) == 1) {
                children.merge(k == 0 ? "-1:" : prefix(j, k - 1), 1, Integer::sum);
            }
        }
    }

    private void free(int j) {
        holding.clear(j);
        slots.inFlight--;
        for (int k = levels - 1; k >= 0; k--) {
            String key = prefix(j, k);
            if (active.merge(key, -1, Integer::sum) == 0) {
                active.remove(key);
                children.merge(k == 0 ? "-1:" : prefix(j, k - 1), -1, Integer::sum);
            }
        }
        slots.changed.signalAll();
    }

    @Override
    public boolean hasNext() {
        slots.lock.lock();
        try {
            return reserved >= 0 || !remaining.isEmpty();
        } finally {
            slots.lock.unlock();
        }
    }

    /**
     * The iteration the gate reserved; after the batch stopped (nothing reserved), the next remaining one in item
     * order, which the batch reports SKIPPED.
     */
    @Override
    public Map<String, String> next() {
        slots.lock.lock();
        try {
            int j = reserved;
            reserved = -1;
            if (j < 0) {
                j = remaining.nextSetBit(0);
                if (j < 0) {
                    throw new NoSuchElementException();
                }
                remaining.clear(j);
            }
            lastIndex = indices[j];
            return items.get(j).params();
        } finally {
            slots.lock.unlock();
        }
    }

    /** Whether {@link #awaitReady} reserved an iteration that {@link #next()} hands out. */
    boolean readyNow() {
        slots.lock.lock();
        try {
            return reserved >= 0;
        } finally {
            slots.lock.unlock();
        }
    }

    /** The index the item {@link #next()} returned last is recorded under: the batch's {@code indexAt}. */
    int lastIndex() {
        slots.lock.lock();
        try {
            return lastIndex;
        } finally {
            slots.lock.unlock();
        }
    }

    @Override
    public void onRunEnd(RunResult result) {
        slots.lock.lock();
        try {
            for (int j = holding.nextSetBit(0); j >= 0; j = holding.nextSetBit(j + 1)) {
                if (indices[j] == result.index()) {
                    free(j);
                    return;
                }
            }
        } finally {
            slots.lock.unlock();
        }
    }
}
