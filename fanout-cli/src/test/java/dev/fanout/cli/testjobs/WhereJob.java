package dev.fanout.cli.testjobs;

import dev.fanout.JobContext;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;

/**
 * A deterministic computation for item {@code n} (a sum over 4 partitions, each task taking {@code ms}), and
 * where its tasks ran: returns {@code sum=<value> pids=<sorted task process ids>} so a test can compare the value
 * with local mode and tell the executors' processes from the driver's.
 */
public final class WhereJob implements SparkJob {
    @Override
    public String run(JobContext ctx) {
        long n = ctx.get("n", ParamType.LONG);
        long ms = ctx.get("ms", ParamType.LONG, 0L);
        List<String> parts = ctx.spark().range(0, 40_000, 1, 4).mapPartitions((MapPartitionsFunction<Long, String>) it -> {
            long sum = 0;
            while (it.hasNext()) {
                long x = it.next();
                sum += (x * x + n) % 1_000_003;
            }
            Thread.sleep(ms);
            List<String> out = new ArrayList<>();
            out.add(sum + ":" + ProcessHandle.current().pid());
            return out.iterator();
        }, Encoders.STRING()).collectAsList();
        long total = 0;
        TreeSet<Long> pids = new TreeSet<>();
        for (String p : parts) {
            String[] kv = p.split(":");
            total += Long.parseLong(kv[0]);
            pids.add(Long.parseLong(kv[1]));
        }
        return "sum=" + total + " pids=" + pids;
    }

}
