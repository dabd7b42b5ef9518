package dev.fanout.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.internal.engine.AdaptiveSimulation.Result;
import dev.fanout.internal.engine.AdaptiveSimulation.Workload;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The adaptive controller on simulated workloads whose best fixed parallelism is known (a sweep of fixed values on the
 * same simulation finds it): it finishes within 10% of the best fixed value's makespan (20% on a batch of 50 runs),
 * never goes above its max, and every change it makes is explained by the epoch measured just before it.
 */
class AdaptiveSimulationTest {
    private static final int[] FIXED = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64};
    private static final int SLOTS = 4;

    /** Each run keeps 2 cores busy: on 4 slots, 2 runs fill them; more only queue (and cost a little). */
    static final Workload KNEE_2 = new Workload("knee at 2", AdaptiveSimulation.slotBound(2, 0.01), 2, 0.02, 2);
    /** Each run keeps half a core busy (it waits half the time): 8 runs fill 4 slots. */
    static final Workload KNEE_8 = new Workload("knee at 8", AdaptiveSimulation.slotBound(0.5, 0.01), 0.5, 0.02, 2);
    /** Runs wait on a remote system that serves about 32 at once; the slots are mostly idle. */
    static final Workload KNEE_32 = new Workload("knee at 32", AdaptiveSimulation.usl(0.02, 32), 0.05, 0.01, 2);
    /** Each run keeps 2/3 of a driver core busy (planning): 3 runs fill a 2-core driver, more cost 3% each. */
    static final Workload DRIVER_BOUND = new Workload("driver-bound", (c, slots) -> Math.min(c, 3) / AdaptiveSimulation.R0
            / (1 + 0.03 * Math.max(0, c - 3)), 0.05, 2.0 / 3, 2);

    @Test
    void kneeAt2() {
        withinOfBestFixed(new AdaptiveSimulation(KNEE_2, 500, SLOTS, 1), 0.10);
    }

    @Test
    void kneeAt8() {
        withinOfBestFixed(new AdaptiveSimulation(KNEE_8, 500, SLOTS, 2), 0.10);
    }

    @Test
    void kneeAt32() {
        withinOfBestFixed(new AdaptiveSimulation(KNEE_32, 500, SLOTS, 3), 0.10);
    }

    @Test
    void driverBound() {
        Result r = withinOfBestFixed(new AdaptiveSimulation(DRIVER_BOUND, 500, SLOTS, 4), 0.10);
        assertThat(r.epochs()).as("the driver's CPU is what stopped it").anyMatch(e -> e.driverCpu() >= AdaptiveController.SATURATED);
    }

    @Test
    void capacityDoublesMidBatch() {
        Result r = withinOfBestFixed(new AdaptiveSimulation(KNEE_8, 600, SLOTS, 5).slotsChange(200, 2 * SLOTS), 0.10);
        assertThat(r.decisions()).anyMatch(d -> d.reason().startsWith("task slots 4 -> 8") && d.to() == 2 * d.from());
    }

    @Test
    void capacityHalvesMidBatch() {
        Result r = withinOfBestFixed(new AdaptiveSimulation(KNEE_8, 600, 2 * SLOTS, 6).slotsChange(200, SLOTS), 0.10);
        assertThat(r.decisions()).anyMatch(d -> d.reason().startsWith("task slots 8 -> 4") && 2 * d.to() == d.from());
    }

    @Test
    void aShortBatchOf50() {
        withinOfBestFixed(new AdaptiveSimulation(KNEE_8, 50, SLOTS, 7), 0.20);
        withinOfBestFixed(new AdaptiveSimulation(KNEE_2, 50, SLOTS, 8), 0.20);
    }

    @Test
    void neverAboveMaxNorBelowMin() {
        Result r = new AdaptiveSimulation(KNEE_32, 500, SLOTS, 9).adaptive(2, 12);
        assertThat(r.maxLimit()).isLessThanOrEqualTo(12);
        assertThat(r.maxInFlight()).isLessThanOrEqualTo(12);
        assertThat(r.decisions()).allSatisfy(d -> assertThat(d.to()).isBetween(2, 12));
        Result down = new AdaptiveSimulation(KNEE_2, 300, SLOTS, 9).adaptive(3, 64);
        assertThat(down.decisions()).allSatisfy(d -> assertThat(d.to()).isGreaterThanOrEqualTo(3));
    }

    @Test
    void theSameSeedGivesTheSameDecisions() {
        Result a = new AdaptiveSimulation(KNEE_8, 300, SLOTS, 10).adaptive(1, 64);
        Result b = new AdaptiveSimulation(KNEE_8, 300, SLOTS, 10).adaptive(1, 64);
        assertThat(a.decisions()).isEqualTo(b.decisions());
        assertThat(a.makespan()).isEqualTo(b.makespan());
    }

    /** Runs the fixed sweep and adaptive; asserts adaptive's makespan, the max, and that each change is explained. */
    private static Result withinOfBestFixed(AdaptiveSimulation sim, double tolerance) {
        double best = Double.MAX_VALUE;
        int bestN = 0;
        StringBuilder sweep = new StringBuilder();
        for (int n : FIXED) {
            double m = sim.fixed(n).makespan();
            sweep.append(n).append(':').append(Math.round(m)).append("s ");
            if (m < best) {
                best = m;
                bestN = n;
            }
        }
        Result r = sim.adaptive(1, 64);
        String trace = "fixed " + sweep + "\nadaptive " + Math.round(r.makespan()) + "s\n"
                + r.epochs().stream().map(Object::toString).collect(Collectors.joining("\n"))
                + "\ndecisions: " + r.decisions().stream().map(d -> d.from() + "->" + d.to() + " (" + d.reason() + ")")
                .collect(Collectors.joining(", "));
        System.out.println(trace);
        assertThat(r.makespan()).as("adaptive vs best fixed %d (%.0fs)\n%s", bestN, best, trace)
                .isLessThanOrEqualTo(best * (1 + tolerance));
        assertThat(r.maxLimit()).isLessThanOrEqualTo(64);
        assertThat(r.decisions()).allSatisfy(d -> assertThat(d.reason()).isNotBlank());
        // each change but a capacity change follows an epoch whose verdict names the move
        long changes = r.decisions().stream().filter(d -> !d.reason().startsWith("task slots")).count();
        long verdicts = r.epochs().stream().filter(e -> IntStream.of(0).allMatch(i -> !e.verdict().startsWith("holding")
                && !e.verdict().startsWith("frozen") && !e.verdict().startsWith("app-limited")
                && !e.verdict().equals("no probe possible"))).count();
        assertThat(verdicts).as(trace).isGreaterThanOrEqualTo(changes);
        return r;
    }
}
