package dev.fanout.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller behind {@code Parallelism.adaptive()}: moves the engine's limit while runs go on, towards the number
 * of runs in flight that completes the most runs per second. It keeps no thread and reads no clock of its own: the
 * engine tells it when a run starts and ends (with the ticker's time) and when the cluster's size changes, and it
 * answers with a {@link Decision} when the limit moves. Not thread-safe: the engine calls it under one lock.
 *
 * <h2>What it learns from</h2>
 * <ul>
 *   <li>.NET thread pool hill climbing ({@code PortableThreadPool.HillClimbing}): throughput (completions per second)
 *       is the objective, never latency; a probe is judged only after the system responded to it (no evaluation
 *       until the epoch's own runs completed); increases are vetoed while CPU is saturated; a bias toward fewer
 *       (there: 0.15 of the wave; here: a step down is kept unless it costs more than {@link #DOWN_TOLERANCE}).</li>
 *   <li>TCP BBR's start-up: the limit grows each epoch while throughput grows by at least {@link #STARTUP_GAIN}
 *       ("full pipe" when it does not), sized from the measured load as BBR sizes from bandwidth x delay; then it
 *       returns to the best value seen (BBR's drain).</li>
 *   <li>Netflix concurrency-limits: no increase while the limit is not used ("app-limited": fewer in flight than
 *       {@link #APP_LIMITED} of the limit), and Vegas's Little's-law view of throughput.</li>
 * </ul>
 *
 * <h2>An epoch</h2>
 * After each change of the limit, a new epoch starts; it measures the first {@code max(MIN_STARTUP_RUNS, n/2)} runs
 * (start-up) or {@code max(MIN_EPOCH_RUNS, 2n)} runs (climbing) that <em>started</em> after the change, and ends when
 * all of them have completed (chosen by start order, so short runs are not favoured). Throughput is Little's law,
 * {@code X = mean runs in flight / mean run duration}, over the time those runs spanned: with runs of minutes, this
 * needs far fewer completions than counting them in a window (whose error is {@code ±(n-1)} completions). Over the
 * same time it reads the task slots' utilisation (task time of the runs that completed / slots x time) and the
 * driver process's CPU (process CPU time / cores x time); either at or above {@link #SATURATED} vetoes growth. When
 * the process uses at least {@link #OWN_SHARE} of the CPU, the driver machine's CPU use (all processes) counts
 * instead if higher: on a machine shared with other work, the CPU the others hold is not to be had either.
 *
 * <h2>Phases</h2>
 * <ol>
 *   <li>Start-up: the first epoch carries the batch's warm-up (JIT, sessions, caches), so it only sizes the next
 *       step from the load and is never a baseline. Then grow while throughput grows {@code >= STARTUP_GAIN}, to the level at which the busier of task
 *       slots and driver CPU would be full (its busy fraction scaled up to {@code SATURATED}; BBR sizes its window
 *       from bandwidth x delay the same way), at most {@link #STARTUP_MAX_FACTOR} times per epoch; stop at the
 *       first epoch that did not grow, at a saturated resource, or at max; then go to the best level measured. When
 *       it grew right into a saturated resource, that is the knee: hold before probing below it.</li>
 *   <li>Start-up before a run ended ({@link #limitFull}): while no throughput has been measured yet (the warm-up epoch
 *       and the epochs after such a growth), the engine's limiter asks the controller whenever a batch waits for a
 *       permit and all are taken. Once the limit has been full for {@link #FULL_PROBE_NANOS} with task slots (the
 *       cluster's task time, running tasks included) and driver CPU both below {@link #IDLE}, it grows now, sized as at
 *       an epoch's end (reason {@code start-up: all 2 runs in flight for 250 ms, task slots 0% busy, driver CPU 3%}): the
 *       runs wait on something neither resource shows. TCP grows per ACK and BBR per round; here a round is a whole run
 *       (2 s on the driver-wait job), cut short by the evidence that the added runs cannot contend for what is seen.
 *       It skips no comparison (those epochs' ends would only have sized from the load). It stops when the task slots'
 *       use per run in flight fell below {@link #MIN_SCALING} of what it was at the last such growth (the added runs
 *       slowed the others: their tasks are their progress), and the epoch's measurement decides. What it cannot see: a
 *       remote system that is the limit while the runs show on neither resource; there it can reach max before a
 *       throughput is measured, and only the climb's probes come back down.</li>
 *   <li>Climb: measure the base, probe {@code base ± step} (step = base/4, at least 1); keep a step up only if it
 *       gained {@code >= UP_GAIN}, a step down unless it lost more than {@code DOWN_TOLERANCE}; keep going the same
 *       way after a kept step; after a probe is rejected in both directions (or the only direction worth a look:
 *       down, when a resource is saturated), halve the step and hold for {@link #HOLD_EPOCHS} epochs before probing
 *       again, twice as long after each such rejection, up to {@link #MAX_HOLD_EPOCHS}.</li>
 *   <li>Near the end: no probe starts unless {@link #PROBE_RUNWAY} times its epoch's runs are left to start.</li>
 *   <li>Frozen: while fewer items remain to be started than the limit (a batch's tail, or a short batch), no epoch
 *       ends and nothing changes: the tail's throughput says nothing about the limit.</li>
 * </ol>
 * When executors join or leave, the limit is scaled by the change of task slots and the climb starts afresh.
 * Lowering the limit cancels nothing: runs in flight finish, and no new one starts until fewer are in flight.
 */
final class AdaptiveController {
    private static final Logger LOG = LoggerFactory.getLogger(AdaptiveController.class);

    /** Start-up doubles while one doubling gains at least this much throughput (BBR's full pipe is 25% per round). */
    static final double STARTUP_GAIN = 0.15;
    /** Start-up grows at most this many times per epoch (when the busiest resource is far from full). */
    static final int STARTUP_MAX_FACTOR = 8;
    /** A step up is kept when it gains at least this much throughput. */
    static final double UP_GAIN = 0.05;
    /** A step down is kept unless it loses more than this much throughput: the bias toward fewer runs. */
    static final double DOWN_TOLERANCE = 0.03;
    /** Task slots or driver CPU busy at least this fraction of the time: no growth. */
    static final double SATURATED = 0.90;
    /** This process's share of the driver's CPU from which the machine's CPU use counts as the driver's. */
    static final double OWN_SHARE = 0.25;
    /** Fewer runs in flight on average than this fraction of the limit: the limit was not what held it back. */
    static final double APP_LIMITED = 0.80;
    /** The fewest runs a start-up epoch measures (it measures half the limit, BBR's one round being cheap). */
    static final int MIN_STARTUP_RUNS = 2;
    /** The fewest runs a climbing epoch measures (it measures twice the limit). */
    static final int MIN_EPOCH_RUNS = 6;
    /** No probe starts unless this many of its epochs' runs are left to start: near a batch's end it would not pay back. */
    static final int PROBE_RUNWAY = 4;
    /** Epochs to hold after a probe was rejected both ways; doubled on each such rejection, up to {@link #MAX_HOLD_EPOCHS}. */
    static final int HOLD_EPOCHS = 2;
    static final int MAX_HOLD_EPOCHS = 32;
    /**
     * While runs fill the limit in start-up with no throughput measured yet, how long task slots and driver CPU are
     * read before it may grow without waiting for those runs to end ({@link #limitFull}): long enough to see past a
     * run's first planning, short against a run that waits seconds.
     */
    static final long FULL_PROBE_NANOS = 250_000_000L;
    /** Task slots and driver CPU both below this while the limit is full: the runs wait on something else. */
    static final double IDLE = 0.25;
    /**
     * After a growth by {@link #limitFull}, the task slots' use per run in flight must stay at least this fraction of
     * what it was before, or the runs added slowed the others down (their tasks are their progress: Little's law) and
     * the next growth waits for the epoch's measurement. Not checked while the runs did not show on the task slots
     * (below 1% busy before).
     */
    static final double MIN_SCALING = 0.5;

    /** A change of the limit, with its reason ({@code +38% runs/s}) and the time on the engine's ticker. */
    record Decision(int from, int to, String reason, long atNanos) {}

    /** One epoch's measurement, for the log and the tests. */
    record Epoch(int limit, double runsPerSecond, double meanInFlight, double slotsBusy, double driverCpu, int runs,
                 String phase, String verdict) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "epoch at %d (%s): %.3f runs/s over %d runs, %.1f in flight, slots %s, driver CPU %s -> %s",
                    limit, phase, runsPerSecond, runs, meanInFlight, percent(slotsBusy), percent(driverCpu), verdict);
        }
    }

    private enum Phase { STARTUP, CLIMB }

    private final int min;
    private final int max;
    private final LongSupplier cpuNanos;
    private final IntSupplier driverCores;
    private final IntSupplier taskSlots;
    private final LongSupplier remaining;
    private final java.util.function.DoubleSupplier machineCpu;
    private final LongSupplier taskNanos;
    private final List<Epoch> epochs = new ArrayList<>();
    private final TreeMap<Integer, Double> seen = new TreeMap<>(); // throughput measured at each limit (start-up)

    private int limit;
    private Phase phase = Phase.STARTUP;
    private int inFlight;
    private long lastEvent;
    private double area; // integral of runs in flight over time, in run-nanoseconds

    // the epoch being measured
    private int epochId;
    private int epochTarget;
    private int epochStarted;
    private int epochEnded;
    private long epochFirstStart = -1;
    private double epochArea0;
    private long epochCpu0;
    private double epochDurations;
    private double epochTaskMillis;

    // start-up and climb state
    private double previousX = Double.NaN;
    private int base;
    private double baseX = Double.NaN;
    private int probe; // 0: measuring the base; +1 / -1: measuring base + step / base - step
    private int lastProbe = -1;
    private int rejectedInARow;
    private int step;
    private int hold;
    private boolean baseSaturated;
    private boolean warm; // an epoch of start-up has been measured (the first one is not compared)
    private boolean grew; // start-up's last step grew the limit
    private int holdLength = HOLD_EPOCHS;
    private int slots;

    // the limit full during the first epoch (limitFull): since when, and the driver's CPU and the task time then
    private long fullSince = -1;
    private long fullCpu0;
    private long fullTask0;
    private boolean fullBlind; // task time or CPU unknown: only the epoch's end decides
    private boolean grewBlind; // limitFull grew the limit: no throughput was compared on the way
    private double lastFullSlots; // task slots busy, and per run in flight, at limitFull's last growth
    private double lastFullPerRun;

    /**
     * @param start       the first limit (the cluster's cores), clamped to {@code min..max}
     * @param cpuNanos    the driver process's CPU time so far, negative when unknown
     * @param driverCores the driver's cores
     * @param taskSlots   the cluster's task slots now (0 when unknown)
     * @param remaining   items not yet started, over every batch ({@link Long#MAX_VALUE} when unknown)
     */
    AdaptiveController(int min, int max, int start, long now, LongSupplier cpuNanos, IntSupplier driverCores,
                       IntSupplier taskSlots, LongSupplier remaining) {
        this(min, max, start, now, cpuNanos, driverCores, taskSlots, remaining, () -> Double.NaN);
    }

    /**
     * @param machineCpu the driver machine's CPU use (all processes, 0..1) since it was last read, NaN when unknown:
     *                   when this process uses a good share of the CPU ({@link #OWN_SHARE}) and the machine is
     *                   saturated, other processes hold the rest and more runs would not get more CPU
     */
    AdaptiveController(int min, int max, int start, long now, LongSupplier cpuNanos, IntSupplier driverCores,
                       IntSupplier taskSlots, LongSupplier remaining, java.util.function.DoubleSupplier machineCpu) {
        this(min, max, start, now, cpuNanos, driverCores, taskSlots, remaining, machineCpu, () -> -1);
    }

    /**
     * @param taskNanos the task-nanoseconds the runs' tasks held cores so far, running tasks included, negative when
     *                  unknown ({@link Cluster#taskNanos()}): how busy the task slots are before any run ended
     */
    AdaptiveController(int min, int max, int start, long now, LongSupplier cpuNanos, IntSupplier driverCores,
                       IntSupplier taskSlots, LongSupplier remaining, java.util.function.DoubleSupplier machineCpu,
                       LongSupplier taskNanos) {
        this.min = min;
        this.max = max;
        this.limit = clamp(start);
        this.cpuNanos = cpuNanos;
        this.driverCores = driverCores;
        this.taskSlots = taskSlots;
        this.remaining = remaining;
        this.machineCpu = machineCpu;
        this.taskNanos = taskNanos;
        this.lastEvent = now;
        this.slots = taskSlots.getAsInt();
        this.step = Math.max(1, limit / 4);
        newEpoch(now);
    }

    /** The runs allowed in flight now. */
    int limit() {
        return limit;
    }

    /** Every epoch measured so far (for tests and diagnostics). */
    List<Epoch> epochs() {
        return List.copyOf(epochs);
    }

    /** A run started at {@code now}; returns its token for {@link #runEnded}. */
    long runStarted(long now) {
        advance(now);
        inFlight++;
        if (epochFirstStart < 0) {
            epochFirstStart = now;
            epochArea0 = area;
            epochCpu0 = cpuNanos.getAsLong();
            machineCpu.getAsDouble(); // starts the machine's measurement over this epoch
        }
        int seq = epochStarted++;
        if (inFlight >= limit && fullSince < 0 && blindStartup()) {
            fullSince = now;
            fullCpu0 = cpuNanos.getAsLong();
            fullTask0 = taskNanos.getAsLong();
        }
        return ((long) epochId << 32) | seq;
    }

    /**
     * A run that started at {@code startedAt} with {@code token} ended at {@code now}, its tasks having held cores
     * for {@code taskMillis}; returns the change of limit this leads to, or null.
     */
    Decision runEnded(long token, long startedAt, long now, long taskMillis) {
        advance(now);
        inFlight = Math.max(0, inFlight - 1);
        if (inFlight < limit) {
            fullSince = -1;
        }
        int id = (int) (token >>> 32);
        int seq = (int) token;
        if (id != epochId || seq >= epochTarget) {
            return null;
        }
        epochDurations += (now - startedAt);
        epochTaskMillis += taskMillis;
        epochEnded++;
        if (epochEnded < epochTarget) {
            return null;
        }
        return endEpoch(now);
    }

    /**
     * A batch waits for a permit and every one is taken. During start-up, while no throughput has been measured to
     * compare with ({@link #blindStartup}), once the limit has been full for {@link #FULL_PROBE_NANOS} with task slots
     * and driver CPU both below {@link #IDLE}, the runs in flight wait on something neither resource shows (a remote
     * system, a sleep): start-up grows now, sized as at an epoch's end, instead of a whole run later (BBR grows per
     * round trip; here the round is cut short by the evidence that the runs added cannot contend for what is seen).
     * Such an epoch's end would only have sized the next step from the load (the warm-up epoch is never a baseline),
     * so no comparison is skipped; the first epoch that is measured to its end is the first baseline. Returns the
     * change, or null.
     */
    Decision limitFull(long now) {
        if (!blindStartup() || fullSince < 0 || fullBlind || inFlight < limit || now - fullSince < FULL_PROBE_NANOS) {
            return null;
        }
        long task1 = taskNanos.getAsLong();
        long cpu1 = cpuNanos.getAsLong();
        int slotCount = taskSlots.getAsInt();
        if (task1 < 0 || fullTask0 < 0 || cpu1 < 0 || fullCpu0 < 0 || slotCount <= 0) {
            fullBlind = true; // it cannot tell whether the runs use the cluster: the epoch's end decides, as before
            return null;
        }
        double span = now - fullSince;
        double slotsBusy = (task1 - fullTask0) / (slotCount * span);
        // (the machine's CPU, counted at an epoch's end from OWN_SHARE on, does not matter here: IDLE <= OWN_SHARE)
        double cpu = (cpu1 - fullCpu0) / (driverCores.getAsInt() * span);
        String held = String.format(Locale.ROOT, "all %d runs in flight for %s", inFlight,
                span < 1e9 ? Math.round(span / 1e6) + " ms" : String.format(Locale.ROOT, "%.1f s", span / 1e9));
        if (Math.max(slotsBusy, cpu) >= IDLE || limit >= max || remaining.getAsLong() <= 0) {
            LOG.debug("parallelism adaptive: {}, {}: not growing before the epoch ends", held, resources(slotsBusy, cpu));
            fullSince = now; // look at the next interval on its own (a run's first planning may have used the CPU)
            fullCpu0 = cpu1;
            fullTask0 = task1;
            return null;
        }
        double perRun = slotsBusy / inFlight;
        if (grewBlind && lastFullSlots >= 0.01 && perRun < MIN_SCALING * lastFullPerRun) {
            LOG.info("parallelism adaptive: {}, task slots {} busy per run, {} before: the runs slowed, measuring the epoch",
                    held, percent(perRun), percent(lastFullPerRun));
            fullBlind = true; // the epoch's end decides, from the throughput it measures
            return null;
        }
        lastFullSlots = slotsBusy;
        lastFullPerRun = perRun;
        int to = clamp(Math.max(limit + 1, sized(Math.max(slotsBusy, cpu), true)));
        String reason = "start-up: " + held + ", " + resources(slotsBusy, cpu);
        Epoch e = new Epoch(limit, 0, inFlight, slotsBusy, cpu, 0, "start-up", "limit full, idle: growing to " + to);
        epochs.add(e);
        LOG.info("parallelism adaptive: {}", e);
        warm = true;
        previousX = Double.NaN;
        grew = true;
        grewBlind = true;
        return change(limit, to, reason, now);
    }

    /** How long after {@code now} {@link #limitFull} wants to be called again; 0 when only a run's start or end matters. */
    long nextFullCheck(long now) {
        if (!blindStartup() || fullSince < 0 || fullBlind) {
            return 0;
        }
        return Math.max(1, fullSince + FULL_PROBE_NANOS - now);
    }

    /**
     * Start-up with no throughput measured yet to compare with (the warm-up epoch, and those after a growth from
     * {@link #limitFull}): such an epoch's end sizes the next step from the load alone, so the same step taken from
     * the load of its first {@link #FULL_PROBE_NANOS} skips no comparison.
     */
    private boolean blindStartup() {
        return phase == Phase.STARTUP && Double.isNaN(previousX);
    }

    /**
     * Start-up's next level: where the busiest of task slots and driver CPU would be {@link #SATURATED} full (BBR's
     * bandwidth x delay), at most {@link #STARTUP_MAX_FACTOR} times the limit. Below 1% busy: that factor when both
     * were measured ({@code known}), twice the limit when one of them could not be (nothing to go by).
     */
    private int sized(double busiest, boolean known) {
        if (busiest > 0.01) {
            return (int) Math.min((long) limit * STARTUP_MAX_FACTOR, Math.round(limit * SATURATED / busiest) + 1L);
        }
        return known ? limit * STARTUP_MAX_FACTOR : limit * 2;
    }

    /** The cluster's task slots may have changed: scale the limit with them and start the climb afresh. */
    Decision capacityChanged(long now) {
        int s = taskSlots.getAsInt();
        int before = slots;
        if (s <= 0 || s == before) {
            return null;
        }
        slots = s;
        if (before <= 0) {
            return null;
        }
        int from = limit;
        int to = clamp((int) Math.round((double) limit * s / before));
        phase = Phase.CLIMB;
        base = to;
        baseX = Double.NaN;
        probe = 0;
        rejectedInARow = 0;
        hold = 0;
        holdLength = HOLD_EPOCHS;
        step = Math.max(1, to / 4);
        seen.clear();
        return change(from, to, "task slots " + before + " -> " + s, now);
    }

    private Decision endEpoch(long now) {
        double span = now - epochFirstStart;
        double meanInFlight = span > 0 ? (area - epochArea0) / span : limit;
        double meanDuration = epochDurations / epochEnded;
        double x = meanDuration > 0 ? meanInFlight / (meanDuration / 1e9) : 0;
        int slotCount = taskSlots.getAsInt();
        // cores each run kept busy on average (task time / duration), times the runs in flight, over the slots
        double slotsBusy = slotCount > 0 && epochDurations > 0
                ? epochTaskMillis * 1e6 / epochDurations * meanInFlight / slotCount : 0;
        long cpu1 = cpuNanos.getAsLong();
        double cpu = epochCpu0 >= 0 && cpu1 >= 0 && span > 0 ? (cpu1 - epochCpu0) / (driverCores.getAsInt() * span) : 0;
        double machine = machineCpu.getAsDouble();
        if (cpu >= OWN_SHARE && machine > cpu) { // a shared machine: the others' CPU is not to be had either
            cpu = machine;
        }
        boolean saturated = slotsBusy >= SATURATED || cpu >= SATURATED;
        // (the first epoch ramps up from no run in flight: that is not a limit the batch left unused)
        boolean appLimited = warm && meanInFlight < APP_LIMITED * limit;
        String phaseName = phase.name().toLowerCase(Locale.ROOT);
        int from = limit;
        String verdict;
        String reason = null;
        int to = limit;
        if (remaining.getAsLong() < limit) {
            verdict = "frozen: fewer items left than the limit";
        } else if (appLimited) {
            verdict = "app-limited (" + String.format(Locale.ROOT, "%.1f", meanInFlight) + " in flight): measuring again";
        } else if (phase == Phase.STARTUP) {
            boolean first = !warm;
            warm = true;
            if (!first) { // the first epoch of a batch carries its warm-up (JIT, sessions, caches): no baseline
                seen.merge(limit, x, (a, b) -> (a + b) / 2);
            }
            double gain = Double.isNaN(previousX) ? Double.NaN : x / previousX - 1;
            double busiest = Math.max(slotsBusy, cpu);
            if (!saturated && limit < max && (Double.isNaN(gain) || gain >= STARTUP_GAIN)) {
                to = clamp(Math.max(limit + 1, sized(busiest, slotCount > 0 && epochCpu0 >= 0 && cpu1 >= 0)));
                reason = Double.isNaN(gain) ? "start-up: " + resources(slotsBusy, cpu) : signed(gain) + " runs/s";
                verdict = "start-up: growing";
            } else {
                int best = bestSeen();
                phase = Phase.CLIMB;
                base = best;
                baseX = seen.getOrDefault(best, x);
                baseSaturated = saturated && best == limit;
                probe = 0;
                step = Math.max(1, best / 4);
                String why = saturated ? resources(slotsBusy, cpu) + ": saturated"
                        : limit >= max ? "at max " + max : signed(gain) + " runs/s";
                verdict = "start-up over (" + why + "): climbing from " + best;
                if (best != limit) {
                    to = best;
                    reason = why + ", best at " + best;
                } else if (saturated && grew && (Double.isNaN(gain) || gain >= STARTUP_GAIN)) {
                    // it just grew into the saturated resource: the knee is here; look below it later
                    hold = HOLD_EPOCHS;
                    verdict += ", holding";
                } else if (first) {
                    // the warm-up epoch is no base to compare a probe with: measure the base again first
                    baseX = Double.NaN;
                    verdict += ", measuring it again after the warm-up";
                } else {
                    to = startProbe(saturated);
                    reason = to == limit ? null : why + ", probing " + to;
                }
            }
            previousX = first ? Double.NaN : x;
            grew = to > from;
        } else if (hold > 0) {
            hold--;
            baseX = blend(baseX, x);
            verdict = "holding (" + hold + " more)";
        } else if (probe == 0) {
            baseX = blend(baseX, x);
            base = limit;
            baseSaturated = saturated;
            to = startProbe(saturated);
            verdict = to == limit ? "no probe possible" : "base measured: probing " + to;
            reason = to == limit ? null : "probing " + (to > limit ? "more" : "fewer") + " runs";
        } else {
            double gain = x / baseX - 1;
            boolean keep = probe > 0 ? gain >= UP_GAIN : gain >= -DOWN_TOLERANCE;
            if (keep) {
                rejectedInARow = 0;
                holdLength = HOLD_EPOCHS;
                base = limit;
                baseX = x;
                int next = clamp(base + probe * step);
                verdict = "kept " + limit + " (" + signed(gain) + " runs/s)";
                if (next != limit && !(probe > 0 && saturated)) {
                    to = next;
                    reason = signed(gain) + " runs/s";
                } else {
                    probe = 0;
                }
            } else {
                rejectedInARow++;
                to = base;
                reason = signed(gain) + " runs/s at " + limit + ", back to " + base;
                verdict = "rejected " + limit + " (" + signed(gain) + " runs/s" + (saturated ? ", saturated" : "") + ")";
                int rejected = probe;
                probe = 0;
                if (rejectedInARow >= 2 || (rejected < 0 && baseSaturated)) {
                    // nothing better either way (or only one way to look): probe less often, with smaller steps
                    rejectedInARow = 0;
                    step = Math.max(1, step / 2);
                    hold = holdLength;
                    holdLength = Math.min(MAX_HOLD_EPOCHS, holdLength * 2);
                }
            }
        }
        Epoch e = new Epoch(from, x, meanInFlight, slotsBusy, cpu, epochEnded, phaseName, verdict);
        epochs.add(e);
        LOG.info("parallelism adaptive: {}", e);
        if (to == from) {
            newEpoch(now);
            return null;
        }
        return change(from, to, reason, now);
    }

    /** Starts a probe from the base: alternately up and down (down when saturated); returns the new limit. */
    private int startProbe(boolean saturated) {
        int dir = saturated ? -1 : -lastProbe;
        int to = clamp(base + dir * step);
        if (to == base) {
            dir = -dir;
            to = saturated && dir > 0 ? base : clamp(base + dir * step);
        }
        if (to == base) {
            probe = 0;
            return base;
        }
        if (remaining.getAsLong() < (long) PROBE_RUNWAY * Math.max(MIN_EPOCH_RUNS, 2 * to)) {
            probe = 0; // near the end of the batch: a probe would cost more than what it could find would pay back
            return base;
        }
        probe = dir;
        lastProbe = dir;
        return to;
    }

    private int bestSeen() {
        int best = limit;
        double bestX = -1;
        for (var e : seen.entrySet()) { // ascending: a tie goes to fewer runs
            if (e.getValue() > bestX * (1 + UP_GAIN)) {
                best = e.getKey();
                bestX = e.getValue();
            }
        }
        return best;
    }

    private Decision change(int from, int to, String reason, long now) {
        limit = to;
        fullSince = -1;
        newEpoch(now);
        if (from == to) {
            return null;
        }
        LOG.info("parallelism adaptive: {} -> {} ({})", from, to, reason);
        return new Decision(from, to, reason, now);
    }

    private void newEpoch(long now) {
        epochId++;
        epochTarget = phase == Phase.STARTUP ? Math.max(MIN_STARTUP_RUNS, (limit + 1) / 2) : Math.max(MIN_EPOCH_RUNS, 2 * limit);
        epochStarted = 0;
        epochEnded = 0;
        epochFirstStart = -1;
        epochDurations = 0;
        epochTaskMillis = 0;
    }

    private void advance(long now) {
        if (now > lastEvent) {
            area += (double) inFlight * (now - lastEvent);
            lastEvent = now;
        }
    }

    private int clamp(int n) {
        return Math.max(min, Math.min(max, n));
    }

    private static double blend(double old, double x) {
        return Double.isNaN(old) ? x : (old + x) / 2;
    }

    private static String resources(double slotsBusy, double cpu) {
        return "task slots " + percent(slotsBusy) + " busy, driver CPU " + percent(cpu);
    }

    static String signed(double gain) {
        long p = Math.round(gain * 100);
        return (p >= 0 ? "+" : "") + p + "%";
    }

    private static String percent(double f) {
        return Math.round(f * 100) + "%";
    }
}
