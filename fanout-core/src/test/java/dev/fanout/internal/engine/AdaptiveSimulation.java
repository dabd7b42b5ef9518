package dev.fanout.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A discrete-event simulation of a batch on a cluster whose throughput at each number of runs in flight is known,
 * on virtual time: the adaptive controller is driven exactly as the engine drives it (a run starts, a run ends with
 * its task time, the cluster's slots change), so a batch of hundreds of runs of minutes each takes milliseconds and
 * the same seed gives the same trace.
 *
 * <p>The model: a run of work {@code w} (lognormal around 1, seeded) takes {@code w x R0} seconds alone; with {@code c}
 * runs in flight the batch progresses at {@code throughput(c)} works per second, shared evenly (processor sharing).
 * Each run keeps {@code coresPerRun} task slots busy per unit of work ({@code coresPerRun x R0 x w} core-seconds of
 * task time) and the driver busy for {@code driverCpuPerRun x R0 x w} core-seconds, both accrued while the run
 * progresses (so the cluster's task time so far, {@code Cluster.taskNanos()}, includes the runs in flight). While every
 * slot of the limit is taken and items wait, the controller is asked {@code limitFull} when it wants to be, as the
 * engine's {@code Limiter} asks it.
 */
final class AdaptiveSimulation {
    static final double R0 = 30; // seconds a run takes alone

    /** A cluster's throughput (works per second) at {@code c} runs in flight on {@code slots} task slots. */
    interface Curve {
        double throughput(int c, int slots);
    }

    /**
     * A workload: its curve and what each run costs the task slots and the driver, as cores busy while it runs alone,
     * which takes {@code runSeconds} ({@link #R0} unless given); the runs' work is lognormal with {@code sigma} (0.25
     * unless given).
     */
    record Workload(String name, Curve curve, double coresPerRun, double driverCpuPerRun, int driverCores,
                    double runSeconds, double sigma) {
        Workload(String name, Curve curve, double coresPerRun, double driverCpuPerRun, int driverCores) {
            this(name, curve, coresPerRun, driverCpuPerRun, driverCores, R0, 0.25);
        }
    }

    /** The outcome of one simulated batch. */
    record Result(double makespan, int maxLimit, int maxInFlight, List<AdaptiveController.Decision> decisions,
                  List<AdaptiveController.Epoch> epochs) {}

    private static final class Run {
        final double work;
        final double start;
        final long token;
        double done;

        Run(double work, double start, long token) {
            this.work = work;
            this.start = start;
            this.token = token;
        }
    }

    /** Universal scalability law with its peak at {@code peak}: {@code c / (1 + a(c-1) + b c(c-1))}, per R0. */
    static Curve usl(double alpha, int peak) {
        double beta = (1 - alpha) / ((double) peak * peak);
        return (c, slots) -> c / (1 + alpha * (c - 1) + beta * c * (c - 1)) / R0;
    }

    /** Runs that each need {@code coresPerRun} cores: linear up to slots / coresPerRun, then a little worse per extra run. */
    static Curve slotBound(double coresPerRun, double lossPerExtraRun) {
        return (c, slots) -> {
            double knee = slots / coresPerRun;
            return Math.min(c, knee) / R0 / (1 + lossPerExtraRun * Math.max(0, c - knee));
        };
    }

    private final Workload workload;
    private final int items;
    private final long seed;
    private int slots;
    private int slotsLater;
    private int changeAtItem = -1;

    AdaptiveSimulation(Workload workload, int items, int slots, long seed) {
        this.workload = workload;
        this.items = items;
        this.slots = slots;
        this.seed = seed;
    }

    /** The cluster's slots become {@code later} when item {@code atItem} starts. */
    AdaptiveSimulation slotsChange(int atItem, int later) {
        this.changeAtItem = atItem;
        this.slotsLater = later;
        return this;
    }

    /** The batch at a fixed limit. */
    Result fixed(int n) {
        return run(n, 0, 0);
    }

    /** The batch with the adaptive controller, between min and max, starting at the slots. */
    Result adaptive(int min, int max) {
        return run(-1, min, max);
    }

    private Result run(int fixed, int min, int max) {
        Random random = new Random(seed);
        double[] work = new double[items];
        for (int i = 0; i < items; i++) {
            double sigma = workload.sigma();
            work[i] = Math.exp(sigma * random.nextGaussian() - sigma * sigma / 2);
        }
        int[] next = {0};
        double[] cpu = {0};
        double[] task = {0}; // core-seconds of task time so far
        double[] now = {0};
        int startSlots = slots;
        int[] slotsNow = {slots};
        AdaptiveController ctrl = fixed > 0 ? null : new AdaptiveController(min, max, Math.max(min, Math.min(max, slots)), 0,
                () -> (long) (cpu[0] * 1e9), workload::driverCores, () -> slotsNow[0], () -> items - next[0],
                () -> Double.NaN, () -> (long) (task[0] * 1e9));
        List<AdaptiveController.Decision> decisions = new ArrayList<>();
        List<Run> inFlight = new ArrayList<>();
        int maxLimit = 0;
        int maxInFlight = 0;
        while (true) {
            int limit = ctrl == null ? fixed : ctrl.limit();
            maxLimit = Math.max(maxLimit, limit);
            while (inFlight.size() < limit && next[0] < items) {
                if (next[0] == changeAtItem && ctrl != null) {
                    slotsNow[0] = slotsLater;
                    AdaptiveController.Decision d = ctrl.capacityChanged(nanos(now[0]));
                    if (d != null) {
                        decisions.add(d);
                        limit = ctrl.limit();
                        maxLimit = Math.max(maxLimit, limit);
                        if (inFlight.size() >= limit) {
                            break;
                        }
                    }
                } else if (next[0] == changeAtItem) {
                    slotsNow[0] = slotsLater;
                }
                int i = next[0]++;
                long token = ctrl == null ? 0 : ctrl.runStarted(nanos(now[0]));
                inFlight.add(new Run(work[i], now[0], token));
            }
            maxInFlight = Math.max(maxInFlight, inFlight.size());
            if (inFlight.isEmpty()) {
                break;
            }
            int c = inFlight.size();
            double x = workload.curve().throughput(c, slotsNow[0]);
            double rate = x / c;
            double dt = Double.MAX_VALUE;
            for (Run r : inFlight) {
                dt = Math.min(dt, (r.work - r.done) / rate);
            }
            // the dispatcher waits for a permit: the controller may want to look before a run ends
            long check = ctrl != null && c >= limit && next[0] < items ? ctrl.nextFullCheck(nanos(now[0])) : 0;
            boolean checking = check > 0 && check / 1e9 < dt;
            if (checking) {
                dt = check / 1e9;
            }
            now[0] += dt;
            cpu[0] += x * dt * workload.driverCpuPerRun() * workload.runSeconds();
            task[0] += x * dt * workload.coresPerRun() * workload.runSeconds();
            List<Run> ended = new ArrayList<>();
            for (Run r : inFlight) {
                r.done += rate * dt;
                if (r.done >= r.work - 1e-9) {
                    ended.add(r);
                }
            }
            inFlight.removeAll(ended);
            if (checking && ended.isEmpty()) {
                AdaptiveController.Decision d = ctrl.limitFull(nanos(now[0]));
                if (d != null) {
                    decisions.add(d);
                }
            }
            for (Run r : ended) {
                if (ctrl != null) {
                    long taskMillis = (long) (workload.coresPerRun() * workload.runSeconds() * r.work * 1000);
                    AdaptiveController.Decision d = ctrl.runEnded(r.token, nanos(r.start), nanos(now[0]), taskMillis);
                    if (d != null) {
                        decisions.add(d);
                    }
                }
            }
        }
        slots = startSlots;
        return new Result(now[0], maxLimit, maxInFlight, decisions, ctrl == null ? List.of() : ctrl.epochs());
    }

    private static long nanos(double seconds) {
        return (long) (seconds * 1e9);
    }
}
