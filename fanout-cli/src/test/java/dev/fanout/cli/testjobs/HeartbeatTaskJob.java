package dev.fanout.cli.testjobs;

import dev.fanout.JobContext;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.api.java.function.ForeachFunction;

/**
 * With {@code dir}: two tasks that each touch {@code dir/task-<id>} every 100 ms for ever (until killed), so a test
 * can see on the executors' side when they really stop. Without it: waits {@code driverMs} on the driver, no tasks.
 */
public final class HeartbeatTaskJob implements SparkJob {
    @Override
    public String run(JobContext ctx) throws Exception {
        String dir = ctx.params().get("dir");
        if (dir == null) {
            Thread.sleep(ctx.get("driverMs", ParamType.LONG, 20_000L));
            return "waited";
        }
        ctx.spark().range(0, 2, 1, 2).foreach((ForeachFunction<Long>) x -> {
            Path beat = Path.of(dir, "task-" + x);
            while (true) {
                Files.writeString(beat, Long.toString(System.currentTimeMillis()));
                Thread.sleep(100);
            }
        });
        return "never";
    }
}
