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

    /**
     * The bench's driver-wait job on {@code local[2]}: each run waits 2 s on the driver (a remote system), then runs a
     * tiny Spark job; a run takes 2.2 s alone (a sleep: little spread, sigma 0.1) and keeps 2% of a core busy on the
     * driver and 2% in tasks, so nothing here contends: the best fixed value is the max.
     */
    static final Workload WAIT = new Workload("driver wait", (c, slots) -> c / 2.2, 0.02, 0.02, 2, 2.2, 0.1);

    @Test
    void driverWaitGrowsBeforeTheFirstRunsEnd() {
        for (int items : new int[] {256, 64}) {
            AdaptiveSimulation sim = new AdaptiveSimulation(WAIT, items, 2, 11);
            assertThat(sim.fixed(64).makespan()).as("the best fixed value is the max")
                    .isLessThan(sim.fixed(48).makespan());
            Result r = withinOfBestFixed(sim, 0.25); // at 64 items, fixed 64 is one round: start-up's half second counts
            AdaptiveController.Decision first = r.decisions().get(0);
            assertThat(first.from()).isEqualTo(2);
            assertThat(first.to()).isEqualTo(16);
            assertThat(first.atNanos()).as("a quarter of a second in, long before a run of 2 s ends")
                    .isEqualTo(AdaptiveController.FULL_PROBE_NANOS);
            assertThat(first.reason()).isEqualTo("start-up: all 2 runs in flight for 250 ms, task slots 2% busy, driver CPU 2%");
            assertThat(r.epochs().get(0).verdict()).isEqualTo("limit full, idle: growing to 16");
            AdaptiveController.Decision second = r.decisions().get(1);
            assertThat(second.to()).isEqualTo(64);
            assertThat(second.atNanos()).as("and again a quarter of a second later").isEqualTo(2 * AdaptiveController.FULL_PROBE_NANOS);
            assertThat(second.reason()).startsWith("start-up: all 16 runs in flight for 250 ms, task slots 16% busy");
        }
    }

    /** Runs that keep the task slots or the driver busy: start-up waits for the first epoch's runs to end. */
    @Test
    void noGrowthBeforeTheFirstRunsEndWhileRunsKeepSlotsOrTheDriverBusy() {
        // a run holding a task slot while it waits (a JDBC read in a task): slots 100% busy at 2 runs on 2 slots
        Workload slotWait = new Workload("slot wait", (c, slots) -> Math.min(c, slots) / 2.2, 1.0, 0.02, 2, 2.2, 0.1);
        // a run that spends a third of its time planning on the driver: 2 runs keep a 2-core driver 33% busy
        Workload planning = new Workload("planning", (c, slots) -> c / 2.2 / (1 + 0.01 * c), 0.02, 0.33, 2, 2.2, 0.1);
        for (Workload w : new Workload[] {slotWait, planning, KNEE_8, KNEE_2, DRIVER_BOUND}) {
            Result r = new AdaptiveSimulation(w, 200, w == KNEE_8 || w == KNEE_2 || w == DRIVER_BOUND ? SLOTS : 2, 12)
                    .adaptive(1, 64);
            assertThat(r.epochs()).as(w.name()).noneMatch(e -> e.verdict().startsWith("limit full"));
            assertThat(r.decisions()).as(w.name()).noneMatch(d -> d.reason().contains("runs in flight for"));
            assertThat(r.epochs().get(0).runs()).as(w.name() + ": the first epoch's runs all ended").isPositive();
        }
    }

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
        Result r = withinOfBestFixed(new AdaptiveSimulation(KNEE_32, 500, SLOTS, 3), 0.10);
        // 4 -> 32 before a run ended (slots 5% busy); at 32 each run's task time per second fell to 40% (the remote
        // system slows them): the next step waits for the epoch's throughput, which brings it back from 64 to 32
        assertThat(r.decisions().get(0).reason()).startsWith("start-up: all 4 runs in flight for 250 ms");
        assertThat(r.decisions().get(1).reason()).doesNotContain("runs in flight for");
        assertThat(r.decisions().get(r.decisions().size() - 1).to()).isEqualTo(32);
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
