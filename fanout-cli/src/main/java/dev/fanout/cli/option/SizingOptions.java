package dev.fanout.cli.option;

import dev.fanout.BadInputException;
import dev.fanout.Parallelism;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Option;

/**
 * How many runs go at once: {@code --parallelism N|auto|adaptive} and their settings, mapped to a {@link Parallelism}.
 * {@code adaptive} may carry its bounds, {@code adaptive:MIN..MAX} (either end may be left out), or take its max from
 * {@code --max-parallelism}.
 */
public final class SizingOptions {
    private static final Pattern LOCAL_N = Pattern.compile("local\\[(\\d+)(?:,\\d+)?]");

    @Option(names = "--parallelism", paramLabel = "N|auto|adaptive",
            description = "Runs in flight at once, or 'auto': from the cluster's executors and cores, following them as they"
                    + " come and go, or 'adaptive' (also 'adaptive:MIN..MAX'): starts at the cores and moves while the batch"
                    + " runs towards the most runs completed per second (default: the cores of a local master, else 4).")
    public String parallelism;

    @Option(names = "--cores-per-run", paramLabel = "N", description = "With --parallelism auto: executor cores each run needs (default 1).")
    public Integer coresPerRun;

    @Option(names = "--executors-per-run", paramLabel = "N",
            description = "With --parallelism auto: executors each run needs (instead of --cores-per-run).")
    public Integer executorsPerRun;

    @Option(names = "--max-parallelism", paramLabel = "N",
            description = "With --parallelism auto or adaptive: never more runs at once than this (default " + Parallelism.DEFAULT_MAX + ").")
    public Integer maxParallelism;

    @Option(names = "--executor-wait", paramLabel = "DURATION", converter = RunOptions.DurationConverter.class,
            description = "With --parallelism auto on a cluster: how long to wait for executors to register (default 60s).")
    public Duration executorWait;

    /** A fixed parallelism (the run command). */
    public static SizingOptions fixed(int n) {
        SizingOptions s = new SizingOptions();
        s.parallelism = Integer.toString(n);
        return s;
    }

    public boolean auto() {
        return "auto".equalsIgnoreCase(parallelism == null ? null : parallelism.trim());
    }

    /** {@code --parallelism adaptive} (with or without its bounds). */
    public boolean adaptive() {
        return parallelism != null && parallelism.trim().toLowerCase(java.util.Locale.ROOT).startsWith("adaptive");
    }

    /** How long to wait for executors before sizing from them. */
    public Duration executorWait() {
        return executorWait != null ? executorWait : Duration.ofSeconds(60);
    }

    /**
     * The parallelism the options give on {@code master}; a usage error names the option and value. Call before anything
     * starts.
     */
    public Parallelism parallelism(String master) {
        if (adaptive()) {
            for (var o : new Object[][] {{"--cores-per-run", coresPerRun}, {"--executors-per-run", executorsPerRun}}) {
                if (o[1] != null) {
                    throw new BadInputException(o[0] + " applies to --parallelism auto only");
                }
            }
            Parallelism p;
            try {
                p = Parallelism.parse(parallelism);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--parallelism: " + e.getMessage());
            }
            return maxParallelism == null ? p : ((Parallelism.Adaptive) p).max(positive("--max-parallelism", maxParallelism));
        }
        if (!auto()) {
            for (var o : new Object[][] {{"--cores-per-run", coresPerRun}, {"--executors-per-run", executorsPerRun},
                    {"--max-parallelism", maxParallelism}, {"--executor-wait", executorWait}}) {
                if (o[1] != null) {
                    throw new BadInputException(o[0] + " applies to --parallelism auto" + (o[0].equals("--max-parallelism")
                            || o[0].equals("--executor-wait") ? " or adaptive" : "") + " only");
                }
            }
            return Parallelism.fixed(fixed(master));
        }
        if (coresPerRun != null && executorsPerRun != null) {
            throw new BadInputException("--cores-per-run and --executors-per-run exclude each other; give one");
        }
        return autoFrom(Parallelism.auto());
    }

    private Parallelism.Auto autoFrom(Parallelism.Auto a) {
        if (coresPerRun != null) {
            a = a.coresPerRun(positive("--cores-per-run", coresPerRun));
        }
        if (executorsPerRun != null) {
            a = a.executorsPerRun(positive("--executors-per-run", executorsPerRun));
        }
        if (maxParallelism != null) {
            a = a.max(positive("--max-parallelism", maxParallelism));
        }
        return a;
    }

    /**
     * For a resume: the options given on the command line over the batch's {@code recorded} parallelism. Auto's settings
     * given alone refine a recorded auto.
     */
    public Parallelism over(Parallelism recorded, ParseResult given, String master) {
        if (given.hasMatchedOption("--parallelism")) {
            return parallelism(master);
        }
        if (recorded instanceof Parallelism.Auto a) {
            if (coresPerRun != null && executorsPerRun != null) {
                throw new BadInputException("--cores-per-run and --executors-per-run exclude each other; give one");
            }
            return autoFrom(a);
        }
        if (recorded instanceof Parallelism.Adaptive a) {
            return maxParallelism == null ? a : a.max(positive("--max-parallelism", maxParallelism));
        }
        parallelism = recorded.spec();
        return parallelism(master); // auto's settings without auto are refused as for a new batch
    }

    private int fixed(String master) {
        if (parallelism != null) {
            int n;
            try {
                n = Integer.parseInt(parallelism.trim());
            } catch (NumberFormatException e) {
                throw new BadInputException("--parallelism must be a number or 'auto', got '" + parallelism + "'");
            }
            return positive("--parallelism", n);
        }
        Matcher m = LOCAL_N.matcher(master);
        if (m.matches()) {
            return Math.max(1, Integer.parseInt(m.group(1)));
        }
        if (master.startsWith("local")) {
            return Math.max(2, Runtime.getRuntime().availableProcessors());
        }
        return 4;
    }

    private static int positive(String name, int v) {
        if (v < 1) {
            throw new BadInputException(name + " must be at least 1, got " + v);
        }
        return v;
    }
}
