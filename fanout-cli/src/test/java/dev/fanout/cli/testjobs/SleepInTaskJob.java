package dev.fanout.cli.testjobs;

import dev.fanout.JobContext;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import org.apache.spark.api.java.function.ForeachFunction;

/** Holds a core in a Spark task for {@code ms} milliseconds (default a minute). */
public final class SleepInTaskJob implements SparkJob {
    @Override
    public String run(JobContext ctx) {
        long ms = ctx.get("ms", ParamType.LONG, 60_000L);
        ctx.spark().range(0, 1, 1, 1).foreach((ForeachFunction<Long>) x -> Thread.sleep(ms));
        return "slept " + ms;
    }
}
