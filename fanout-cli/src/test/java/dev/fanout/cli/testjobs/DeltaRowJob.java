package dev.fanout.cli.testjobs;

import dev.fanout.JobContext;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import org.apache.spark.sql.SparkSession;

/**
 * One row per iteration into the Delta table at {@code table} (partitioned by {@code n}): with {@code create=true}
 * creates it (empty) when missing; with {@code n} replaces partition {@code n} with the row {@code (n, n * n)} after
 * waiting {@code ms} (so a rerun is idempotent and parallel iterations do not conflict); with {@code count=true}
 * returns the table's row count.
 */
public final class DeltaRowJob implements SparkJob {
    @Override
    public String run(JobContext ctx) throws Exception {
        SparkSession spark = ctx.spark();
        String table = ctx.get("table", ParamType.STRING);
        if (ctx.get("create", ParamType.BOOLEAN, false)) {
            spark.sql("CREATE TABLE IF NOT EXISTS delta.`" + table + "` (n BIGINT, sq BIGINT) USING delta PARTITIONED BY (n)");
            return "created";
        }
        if (ctx.get("count", ParamType.BOOLEAN, false)) {
            return Long.toString(spark.read().format("delta").load(table).count());
        }
        long n = ctx.get("n", ParamType.LONG);
        Thread.sleep(ctx.get("ms", ParamType.LONG, 0L));
        spark.range(n, n + 1).selectExpr("id AS n", "id * id AS sq").write().format("delta").mode("overwrite")
                .option("replaceWhere", "n = " + n).save(table);
        return Long.toString(n * n);
    }
}
