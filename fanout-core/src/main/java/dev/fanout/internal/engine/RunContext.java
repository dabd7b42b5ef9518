package dev.fanout.internal.engine;

import dev.fanout.JobContext;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** The {@link JobContext} of one attempt. */
record RunContext(SparkSession spark, Map<String, String> params, String runId, int attempt) implements JobContext {}
