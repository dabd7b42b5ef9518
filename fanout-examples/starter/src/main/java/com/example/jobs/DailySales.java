package com.example.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import dev.fanout.JobContext;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.apache.spark.sql.Row;

/**
 * One day's sales: the number of sales and their total amount on {@code day}, read from the CSV file {@code input}
 * (a header row {@code day,store,amount}). The exit value, "{@code COUNT SUM}", is what fanout records for the run.
 *
 * <p>Run it for every day of a quarter, four at a time:
 * <pre>
 * fanout foreach com.example.jobs.DailySales --jars target/my-fanout-jobs-1.0-SNAPSHOT.jar \
 *     --range day=2026-01-01..2026-03-31 -p input=sales.csv --parallelism 4
 * </pre>
 * A real job would write its day's result too, replacing only that day (see the fanout demo's DailyMetrics:
 * a Delta {@code replaceWhere} on the day), so that runs in parallel do not conflict and a rerun is idempotent.
 */
public final class DailySales implements SparkJob {
    @Override
    public String run(JobContext ctx) {
        LocalDate day = ctx.get("day", ParamType.DATE);   // required; a bad value fails the run, never retried
        String input = ctx.get("input");                   // required
        Row totals = ctx.spark().read()                    // ctx.spark(): this run's own session
                .option("header", "true")
                .schema("day DATE, store STRING, amount DECIMAL(12,2)")
                .csv(input)
                .where(col("day").equalTo(day.toString()))
                .agg(count("*"), sum("amount"))
                .first();
        BigDecimal total = totals.isNullAt(1) ? BigDecimal.ZERO.setScale(2) : totals.getDecimal(1);
        return totals.getLong(0) + " " + total.toPlainString();
    }
}
