package dev.fanout.cli.testjobs;

import dev.fanout.JobContext;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts its runs, fails when {@code fail=true}, else returns the row count of a tiny Spark job and its parameters. */
public final class EchoJob implements SparkJob {
    public static final AtomicInteger RUNS = new AtomicInteger();

    @Override
    public String run(JobContext ctx) {
        RUNS.incrementAndGet();
        if (ctx.get("fail", ParamType.BOOLEAN, false)) {
            throw new IllegalStateException("asked to fail\nsecond line");
        }
        return ctx.spark().range(3).count() + " " + new java.util.TreeMap<>(ctx.params());
    }
}
