package dev.fanout.internal.engine;

import dev.fanout.BatchResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.SparkSession;

/**
 * The engine of one {@code Fanout}: runs batches on its Spark session with its settings. Everything one engine
 * runs at the same time is meant to share one budget of slots and FAIR pools.
 */
public final class Engine {
    private final SparkSession spark;
    private final EngineSettings settings;
    private final Set<BatchRun> running = ConcurrentHashMap.newKeySet();

    public Engine(SparkSession spark, EngineSettings settings) {
        this.spark = spark;
        this.settings = settings;
    }

    /** Runs one batch to its end and returns every item's outcome. */
    public BatchResult run(BatchRequest request) {
        List<dev.fanout.FanoutListener> all = new ArrayList<>(settings.listeners());
        all.addAll(request.listeners());
        EngineSettings s = new EngineSettings(settings.parallelism(), settings.timeout(), settings.retry(),
                settings.failurePolicy(), all, settings.clock(), settings.retainRuns(), settings.cancelGrace(),
                settings.sessionPerRun(), settings.redaction(), settings.limit());
        BatchRun batch = new BatchRun(spark, s, request.job(), request.batchId(), request.items(), request.indexAt(),
                request.expected(), request.errors());
        running.add(batch);
        try {
            return batch.execute();
        } finally {
            running.remove(batch);
        }
    }

    /** Stops every batch this engine is running: in-flight runs cancelled on the cluster, the rest skipped. */
    public void abort(String reason) {
        for (BatchRun b : running) {
            b.abort(reason);
        }
    }

    /** The runs allowed in flight right now. */
    public int limitNow() {
        return settings.limit() == null ? settings.parallelism()
                : Math.max(1, Math.min(settings.parallelism(), settings.limit().getAsInt()));
    }
}
