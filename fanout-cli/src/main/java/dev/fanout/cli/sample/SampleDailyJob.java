package dev.fanout.cli.sample;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;

import dev.fanout.JobContext;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The built-in sample for {@code fanout demo}: synthesizes one day of bookings (deterministic for the
 * day) and aggregates them by hour. Returns the day's bookings, revenue and busiest hour.
 */
public final class SampleDailyJob implements SparkJob {
    @Override
    public String run(JobContext ctx) {
        LocalDate day = ctx.get("day", ParamType.DATE);
        long bookings = ctx.get("bookings", ParamType.LONG, 200_000L);
        Dataset<Row> byHour = ctx.spark().range(0, bookings, 1, 4)
                .withColumn("hour", pmod(hash(col("id"), lit(day.toEpochDay())), lit(24)))
                .withColumn("fare", pmod(hash(col("id"), lit(-day.toEpochDay())), lit(40_000)).divide(100))
                .groupBy("hour")
                .agg(count(lit(1)).as("bookings"), round(sum("fare"), 2).as("revenue"))
                .orderBy(col("bookings").desc());
        Row[] rows = (Row[]) byHour.collect();
        double revenue = 0;
        long total = 0;
        for (Row r : rows) {
            total += r.getLong(1);
            revenue += r.getDouble(2);
        }
        return String.format(java.util.Locale.ROOT, "{\"day\":\"%s\",\"bookings\":%d,\"revenue\":%.2f,\"busiestHour\":%d}",
                day, total, revenue, rows[0].getInt(0));
    }
}
