package dev.fanout.internal.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Outcome;
import dev.fanout.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gate's choices, step by step, without Spark: which iteration may start, given what is in flight. */
class IterationGateTest {
    /** Iterations of two nested loops: outer {@code a..}, inner sizes given, params {@code id=o-i}. */
    private static List<Iterations.Iteration> nested(int... innerSizes) {
        List<Iterations.Iteration> out = new ArrayList<>();
        for (int o = 0; o < innerSizes.length; o++) {
            for (int i = 0; i < innerSizes[o]; i++) {
                out.add(new Iterations.Iteration(new int[] {o, i}, Map.of("id", o + "-" + i), ""));
            }
        }
        return out;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Takes what the gate lets start now, without waiting: the ids, in the order handed out. */
    private static List<String> startAll(IterationGate gate) throws InterruptedException {
        List<String> started = new ArrayList<>();
        while (true) {
            boolean[] ready = {false};
            // a stop condition that is true after one look: awaitReady returns at once when nothing may start
            gate.awaitReady(() -> {
                boolean seen = ready[0];
                ready[0] = true;
                return seen;
            });
            if (!gate.readyNow()) {
                return started;
            }
            started.add(gate.next().get("id"));
        }
    }

    private static void end(IterationGate gate, String id, List<Iterations.Iteration> items) {
        for (int j = 0; j < items.size(); j++) {
            if (items.get(j).params().get("id").equals(id)) {
                gate.onRunEnd(new RunResult(j, "r" + j, items.get(j).params(), Outcome.SUCCEEDED, null, List.of(), null, null, null));
                return;
            }
        }
        throw new IllegalArgumentException(id);
    }

    @Test
    void eachLoopStaysWithinItsConcurrencyAndAWaitingItemIsPassedOverForOneThatMayGo() throws Exception {
        List<Iterations.Iteration> items = nested(3, 3, 2);
        IterationGate gate = new IterationGate(new IterationGate.Slots(Integer.MAX_VALUE), items, identity(items.size()),
                new int[] {2, 2});
        // 2 outer items at once, 2 inner items of each: outer 0's third item waits, outer 1's first two go instead
        assertThat(startAll(gate)).containsExactly("0-0", "0-1", "1-0", "1-1");
        end(gate, "0-0", items);
        assertThat(startAll(gate)).containsExactly("0-2");
        end(gate, "0-1", items);
        end(gate, "0-2", items);
        // outer 0 is done: outer 2 takes its place (outer 1 still has 2 items in flight, its third waits)
        assertThat(startAll(gate)).containsExactly("2-0", "2-1");
        end(gate, "1-0", items);
        assertThat(startAll(gate)).containsExactly("1-2");
    }

    @Test
    void theWorkflowCapHoldsOverEveryTaskSharingTheSlots() throws Exception {
        IterationGate.Slots slots = new IterationGate.Slots(3);
        List<Iterations.Iteration> a = nested(4);
        List<Iterations.Iteration> b = nested(4);
        IterationGate ga = new IterationGate(slots, a, identity(4), new int[] {0, 0});
        IterationGate gb = new IterationGate(slots, b, identity(4), new int[] {0, 0});
        assertThat(startAll(ga)).hasSize(3);
        assertThat(startAll(gb)).isEmpty();
        end(ga, "0-0", a);
        assertThat(startAll(gb)).containsExactly("0-0");
    }

    @Test
    void afterAStopTheRemainingItemsAreStillHandedOutInOrderToBeReportedSkipped() throws Exception {
        List<Iterations.Iteration> items = nested(3);
        IterationGate gate = new IterationGate(new IterationGate.Slots(Integer.MAX_VALUE), items, new int[] {5, 6, 7},
                new int[] {0, 1});
        assertThat(startAll(gate)).containsExactly("0-0");
        assertThat(gate.lastIndex()).as("recorded under the given index").isEqualTo(5);
        List<String> rest = new ArrayList<>();
        while (gate.hasNext()) {
            rest.add(gate.next().get("id"));
        }
        assertThat(rest).containsExactly("0-1", "0-2");
    }
}
