package dev.fanout.cli.testjobs;

import dev.fanout.JobContext;
import dev.fanout.SparkJob;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A workflow step for tests: counts its runs by {@code id}, runs a tiny Spark job, fails when {@code day} equals
 * {@code fail}, else returns {@code value} (default its id).
 */
public final class StepJob implements SparkJob {
    public static final Map<String, Integer> RUNS = new ConcurrentHashMap<>();

    @Override
    public String run(JobContext ctx) {
        Map<String, String> p = ctx.params();
        String id = p.getOrDefault("id", "?");
        RUNS.merge(id, 1, Integer::sum);
        ctx.spark().range(3).count();
        if (p.containsKey("day") && p.get("day").equals(p.get("fail"))) {
            throw new IllegalStateException("day " + p.get("day") + " was told to fail\nsecond line");
        }
        return p.getOrDefault("value", id);
    }
}
