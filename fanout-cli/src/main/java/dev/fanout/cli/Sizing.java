package dev.fanout.cli;

import dev.fanout.DurationFormat;
import dev.fanout.BadInputException;
import dev.fanout.internal.spark.AutoParallelism;
import dev.fanout.internal.spark.ExecutorTracker;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * How many runs go at once: a number, or {@code auto} from the live cluster (executors x cores / cores per run, or
 * executors / executors per run), re-read before each run starts. Shared by foreach, resume and demo.
 */
public final class Sizing {
    static final int DEFAULT_MAX_AUTO = 64;

    @Option(names = "--parallelism", paramLabel = "N|auto",
            description = "Runs in flight at once, or 'auto': from the cluster's executors and cores, following them as they"
                    + " come and go (default: the cores of a local master, else 4).")
    String parallelism;

    @Option(names = "--cores-per-run", paramLabel = "N", description = "With --parallelism auto: executor cores each run needs (default 1).")
    Integer coresPerRun;

    @Option(names = "--executors-per-run", paramLabel = "N",
            description = "With --parallelism auto: executors each run needs (instead of --cores-per-run).")
    Integer executorsPerRun;

    @Option(names = "--max-parallelism", paramLabel = "N",
            description = "With --parallelism auto: never more runs at once than this (default " + DEFAULT_MAX_AUTO + ").")
    Integer maxParallelism;

    @Option(names = "--executor-wait", paramLabel = "DURATION", converter = RunOptions.DurationConverter.class,
            description = "With --parallelism auto on a cluster: how long to wait for executors to register (default 60s).")
    Duration executorWait;

    /** A fixed parallelism (the run command). */
    static Sizing fixed(int n) {
        Sizing s = new Sizing();
        s.parallelism = Integer.toString(n);
        return s;
    }

    boolean auto() {
        return "auto".equalsIgnoreCase(parallelism);
    }

    /** Checks the options (a usage error names the option and value); call before anything starts. */
    Sizing validate(String master) {
        if (!auto()) {
            for (var o : new Object[][] {{"--cores-per-run", coresPerRun}, {"--executors-per-run", executorsPerRun},
                    {"--max-parallelism", maxParallelism}, {"--executor-wait", executorWait}}) {
                if (o[1] != null) {
                    throw new BadInputException(o[0] + " applies to --parallelism auto only");
                }
            }
            slots(master);
            return this;
        }
        if (coresPerRun != null && executorsPerRun != null) {
            throw new BadInputException("--cores-per-run and --executors-per-run exclude each other; give one");
        }
        positive("--cores-per-run", coresPerRun);
        positive("--executors-per-run", executorsPerRun);
        positive("--max-parallelism", maxParallelism);
        return this;
    }

    private static void positive(String name, Integer v) {
        if (v != null && v < 1) {
            throw new BadInputException(name + " must be at least 1, got " + v);
        }
    }

    /** The number of slots (and FAIR pools): the fixed parallelism, or auto's maximum. */
    int slots(String master) {
        if (auto()) {
            return maxParallelism != null ? maxParallelism : DEFAULT_MAX_AUTO;
        }
        Integer given = null;
        if (parallelism != null) {
            try {
                given = Integer.parseInt(parallelism.trim());
            } catch (NumberFormatException e) {
                throw new BadInputException("--parallelism must be a number or 'auto', got '" + parallelism + "'");
            }
        }
        return FanoutCommand.parallelism(given, master);
    }

    /**
     * For auto: waits (bounded) for the cluster's executors, prints the parallelism with its reasoning, and returns
     * the limit to read before each run, which prints each change. Null when the parallelism is fixed.
     */
    IntSupplier limit(SparkSession session, PrintStream err) throws InterruptedException {
        if (!auto()) {
            return null;
        }
        var sc = session.sparkContext();
        AutoParallelism auto = executorsPerRun != null ? AutoParallelism.executorsPerRun(sc, executorsPerRun)
                : AutoParallelism.coresPerRun(sc, coresPerRun != null ? coresPerRun : 1);
        ExecutorTracker tracker = auto.tracker();
        if (tracker != null) {
            awaitExecutors(tracker, executorWait != null ? executorWait : Duration.ofSeconds(60), err,
                    "; starting with 1 run at a time");
        }
        int max = slots(sc.master());
        err.printf("fanout: parallelism auto: %s%s%n", auto.explain(), auto.getAsInt() > max ? " (capped at " + max + ")" : "");
        if (tracker != null) {
            AtomicInteger last = new AtomicInteger(auto.getAsInt());
            tracker.watch(t -> {
                int now = auto.getAsInt();
                if (last.getAndSet(now) != now) {
                    err.printf("fanout: parallelism auto: now %s%n", auto.explain());
                }
            });
        }
        return auto;
    }

    /**
     * Waits until executors have registered and stopped arriving (at most {@code wait}) and says how many came;
     * {@code ifNone} ends the warning when none did.
     */
    static int awaitExecutors(ExecutorTracker tracker, Duration wait, PrintStream err, String ifNone) throws InterruptedException {
        long t0 = System.nanoTime();
        int n = tracker.awaitExecutors(wait, Duration.ofSeconds(3));
        if (n == 0) {
            err.printf("fanout: warning: no executor registered within %s%s%n", DurationFormat.format(wait), ifNone);
        } else {
            err.printf(java.util.Locale.ROOT, "fanout: %d executor(s) registered in %.1fs%n", n, (System.nanoTime() - t0) / 1e9);
        }
        return n;
    }

    /** As recorded in the history: "auto" or the number. */
    String recorded(String master) {
        return auto() ? "auto" : Integer.toString(slots(master));
    }
}
