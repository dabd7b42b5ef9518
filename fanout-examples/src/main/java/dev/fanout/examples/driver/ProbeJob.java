package dev.fanout.examples.driver;

import dev.fanout.JobContext;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A job that measures, from inside, how many runs of it are in flight at once in this driver, and fails on demand.
 * It holds its run for {@code holdMs} on the driver, then counts {@code rows} on the cluster (tasks on the executors).
 * It fails when the file {@code failDir/fail-<n>} exists, so a driver program can make items fail, remove the files and
 * resume.
 */
public final class ProbeJob implements SparkJob {
    static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    static final AtomicInteger MAX_IN_FLIGHT = new AtomicInteger();
    /** Runs started, by item parameter {@code n}. */
    static final Map<Long, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    @Override
    public String run(JobContext ctx) throws Exception {
        long n = ctx.get("n", ParamType.LONG);
        RUNS.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
        MAX_IN_FLIGHT.accumulateAndGet(IN_FLIGHT.incrementAndGet(), Math::max);
        try {
            Thread.sleep(ctx.get("holdMs", ParamType.LONG, 1500L));
            long rows = ctx.spark().range(0, 10_000 * n, 1, 2).count();
            String failDir = ctx.get("failDir", ParamType.STRING, "");
            if (!failDir.isEmpty() && Files.exists(Path.of(failDir, "fail-" + n))) {
                throw new IllegalStateException("item " + n + " was asked to fail");
            }
            return Long.toString(rows);
        } finally {
            IN_FLIGHT.decrementAndGet();
        }
    }
}
