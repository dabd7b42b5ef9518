package dev.fanout.internal.engine;

import dev.fanout.JobContext;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/** The {@link JobContext} of one attempt; {@code types} are the batch's declared parameter types. */
record RunContext(SparkSession spark, Map<String, String> params, String runId, int attempt,
                  Map<String, ParamType<?>> types) implements JobContext {
    RunContext(SparkSession spark, Map<String, String> params, String runId, int attempt) {
        this(spark, params, runId, attempt, Map.of());
    }

    @Override
    public Optional<ParamType<?>> declaredType(String name) {
        return Optional.ofNullable(types.get(name));
    }

    /** {@code job}, whose runs see {@code types} as their declared types. */
    static SparkJob typed(SparkJob job, Map<String, ParamType<?>> types) {
        if (types.isEmpty()) {
            return job;
        }
        return new SparkJob() {
            @Override
            public String run(JobContext c) throws Exception {
                return job.run(new RunContext(c.spark(), c.params(), c.runId(), c.attempt(), types));
            }

            @Override
            public void check(List<? extends Map<String, String>> items, SparkSession spark) {
                job.check(items, spark);
            }

            @Override
            public String name() {
                return job.name();
            }
        };
    }
}
