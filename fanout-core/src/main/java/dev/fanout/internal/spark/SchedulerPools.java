package dev.fanout.internal.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.Schedulable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * One FAIR scheduler pool per concurrency slot.
 *
 * <p>Spark reads a job's pool from the thread's {@code spark.scheduler.pool} when the job is
 * submitted, creates an unknown pool on the fly with weight 1, and never removes or re-weights a
 * pool. So pools are per slot ({@code fanout-slot-0}, {@code fanout-slot-1}, ...), created once and
 * reused by every run in that slot. Weights and minimum shares can only come from an allocation
 * file that exists before the SparkContext starts: {@link #allocationFile} writes one.
 */
public final class SchedulerPools {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerPools.class);

    private SchedulerPools() {}

    public static String poolName(int slot) {
        return "fanout-slot-" + slot;
    }

    /** Writes a FAIR allocation file with {@code slots} pools of the given weight and minimum share. */
    public static Path allocationFile(int slots, int weight, int minShare) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<allocations>\n");
        for (int i = 0; i < slots; i++) {
            xml.append("  <pool name=\"").append(poolName(i)).append("\">\n")
                    .append("    <schedulingMode>FIFO</schedulingMode>\n")
                    .append("    <weight>").append(weight).append("</weight>\n")
                    .append("    <minShare>").append(minShare).append("</minShare>\n")
                    .append("  </pool>\n");
        }
        xml.append("</allocations>\n");
        try {
            Path file = Files.createTempFile("fanout-pools-", ".xml");
            file.toFile().deleteOnExit();
            Files.writeString(file, xml, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the FAIR scheduler allocation file", e);
        }
    }

    /**
     * Warns (once, when a {@code Fanout} is built on a session) when runs will not share the cluster
     * fairly: FIFO mode, or pools whose weight differs from the one asked for. Never fails: fanout
     * works either way.
     */
    public static void check(SparkContext sc, int slots, int weight) {
        String mode = sc.getSchedulingMode().toString();
        String warning = null;
        if (!"FAIR".equals(mode)) {
            warning = "spark.scheduler.mode is " + mode + ": parallel runs will queue behind each other's jobs"
                    + " instead of sharing the cluster fairly. Start the session in FAIR mode"
                    + " (Fanout.sessionBuilder, or --conf spark.scheduler.mode=FAIR before the context starts).";
        } else {
            for (int i = 0; i < slots && warning == null; i++) {
                Option<Schedulable> pool = sc.getPoolForName(poolName(i));
                int actual = pool.isDefined() ? pool.get().weight() : 1;
                if (actual != weight) {
                    warning = "scheduler pool " + poolName(i) + " has weight " + actual + ", not " + weight
                            + ": pool weights are fixed when the SparkContext starts (build it with Fanout.sessionBuilder).";
                }
            }
        }
        if (warning != null) {
            LOG.warn(warning);
        }
    }

    /** The Spark settings for FAIR mode with fanout's pools: put them on the builder before the context starts. */
    public static Map<String, String> fairConf(int slots, int weight, int minShare) {
        Path file = allocationFile(slots, weight, minShare);
        return Map.of("spark.scheduler.mode", "FAIR", "spark.scheduler.allocation.file", file.toUri().toString());
    }
}
