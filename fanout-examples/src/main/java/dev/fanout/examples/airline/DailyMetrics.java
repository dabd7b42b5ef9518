package dev.fanout.examples.airline;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.grouping;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_timestamp;
import static org.apache.spark.sql.functions.when;

import dev.fanout.JobContext;
import dev.fanout.NonRetryableException;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The business metrics of one flight day, written to the {@code daily_metrics} Delta table in place of that day's
 * partition. Parameters: {@code day} (yyyy-MM-dd) and {@code warehouse} (the data directory).
 *
 * <p>Two kinds of rows ({@code grain}):
 * <ul>
 *   <li>{@code route}: per route (origin, destination) and aircraft model: flights, cancelled flights, capacity
 *       and seats sold (confirmed bookings) on flights not cancelled, load factor, revenue, and for flights flown:
 *       on-time departure and arrival rates (less than 15 minutes late) and average delays (minutes late, early
 *       counts as 0);</li>
 *   <li>{@code ground}: per airport and aircraft model: turns (an aircraft landing and leaving again the same
 *       day), total and average idle minutes between landing and the next departure (actual times where flown,
 *       scheduled otherwise).</li>
 * </ul>
 * Re-running a day replaces exactly that day (a dynamic partition overwrite of the day's partition; Delta
 * {@code replaceWhere} on it when the day has no rows), so it is idempotent, and days run in parallel do not conflict; a conflict that does happen is retried.
 */
public final class DailyMetrics implements SparkJob {
    public static final StructType SCHEMA = new StructType()
            .add("flight_day", DataTypes.DateType, false)
            .add("grain", DataTypes.StringType, false)
            .add("origin", DataTypes.StringType, true)
            .add("destination", DataTypes.StringType, true)
            .add("airport", DataTypes.StringType, true)
            .add("aircraft_model", DataTypes.StringType, false)
            .add("flights", DataTypes.LongType, true)
            .add("cancelled_flights", DataTypes.LongType, true)
            .add("capacity", DataTypes.LongType, true)
            .add("seats_sold", DataTypes.LongType, true)
            .add("load_factor", DataTypes.DoubleType, true)
            .add("revenue", DataTypes.createDecimalType(20, 2), true)
            .add("flown", DataTypes.LongType, true)
            .add("on_time_departure_rate", DataTypes.DoubleType, true)
            .add("on_time_arrival_rate", DataTypes.DoubleType, true)
            .add("avg_departure_delay_min", DataTypes.DoubleType, true)
            .add("avg_arrival_delay_min", DataTypes.DoubleType, true)
            .add("turns", DataTypes.LongType, true)
            .add("idle_minutes", DataTypes.LongType, true)
            .add("avg_idle_minutes", DataTypes.DoubleType, true);

    /** Departures and arrivals less than this many minutes late are on time (the US DOT rule). */
    public static final int ON_TIME_MINUTES = 15;

    @Override
    public String run(JobContext context) {
        LocalDate day = context.get("day", ParamType.DATE);
        Warehouse warehouse = new Warehouse(Path.of(context.get("warehouse")));
        SparkSession spark = context.spark();
        requireTable(spark, warehouse.dailyMetrics(), "create it before the parallel phase: DailyMetrics.createTable");
        // A day's metrics are a few hundred rows: computed once, on the driver, and written from there (one file per
        // day). Cheaper than caching the result for a second job that counts it: no cached block, no second plan.
        Dataset<Row> computed = compute(spark, warehouse, day);
        List<Row> rows = computed.collectAsList();
        Dataset<Row> metrics = spark.createDataFrame(rows, computed.schema()).coalesce(1);
        DeltaCommits.retryOnConflict("daily_metrics " + day, () -> {
            DataFrameWriter<Row> write = metrics.write().format("delta").mode("overwrite");
            if (rows.isEmpty()) {
                // Nothing to write: remove what an earlier run wrote for the day (a dynamic overwrite of no rows keeps it).
                write = write.option("replaceWhere", "flight_day = DATE'" + day + "'"); // a LocalDate prints as yyyy-MM-dd only
            } else {
                // Every row is of this day, so a dynamic partition overwrite replaces exactly the day's partition, as
                // replaceWhere does, without Delta 4.4's replaceWhere delete counting every file of the table first (a
                // Spark job over the state of a table that every run has just changed: see docs/performance.md).
                write = write.option("partitionOverwriteMode", "dynamic");
            }
            write.save(warehouse.dailyMetrics());
            return null;
        });
        return "{\"day\":\"" + day + "\",\"rows\":" + rows.size() + "}";
    }

    @Override
    public String name() {
        return "DailyMetrics";
    }

    /** Creates the (empty) metrics table, partitioned by day, unless it exists. Call it once, before days run in parallel. */
    public static void createTable(SparkSession spark, Warehouse warehouse) {
        DeltaTable.createIfNotExists(spark).location(warehouse.dailyMetrics()).addColumns(SCHEMA).partitionedBy("flight_day").execute();
    }

    /** The parameters of one run per day, in the given order: what {@code Fanout.forEach} takes. */
    public static List<Map<String, String>> params(Warehouse warehouse, List<String> days) {
        List<Map<String, String>> items = new ArrayList<>(days.size());
        for (String day : days) {
            Map<String, String> item = new LinkedHashMap<>();
            item.put("day", day);
            item.put("warehouse", warehouse.dir().toString());
            items.add(item);
        }
        return items;
    }

    static void requireTable(SparkSession spark, String path, String hint) {
        // Checked once per path and application: the check loads the table's snapshot, and every day's run asks.
        if (!KNOWN_TABLES.contains(path)) {
            if (!DeltaTable.isDeltaTable(spark, path)) {
                throw new NonRetryableException("no Delta table at " + path + "; " + hint);
            }
            KNOWN_TABLES.add(path);
        }
    }

    private static final java.util.Set<String> KNOWN_TABLES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static Column onDay(LocalDate day) {
        return col("flight_day").equalTo(lit(Date.valueOf(day)));
    }

    /** The metrics of {@code day}, reading only that day's partitions of the fact tables. */
    public static Dataset<Row> compute(SparkSession spark, Warehouse warehouse, LocalDate day) {
        Dataset<Row> flights = spark.read().format("delta").load(warehouse.flights()).where(onDay(day));
        Dataset<Row> ops = spark.read().format("delta").load(warehouse.flightOps()).where(onDay(day))
                .select("flight_number", "status", "actual_departure", "actual_arrival");
        Dataset<Row> sold = spark.read().format("delta").load(warehouse.bookings())
                .where(onDay(day).and(col("status").equalTo(DayPlan.CONFIRMED)))
                .groupBy("flight_number")
                .agg(sum("seats").as("booked_seats"), sum("fare").as("booked_revenue"));

        // One withColumns, not four withColumn: each call is a new DataFrame whose whole plan Spark analyses.
        Map<String, Column> derived = new LinkedHashMap<>();
        derived.put("cancelled", coalesce(col("status").equalTo(DayPlan.CANCELLED), lit(false)));
        derived.put("landed", coalesce(col("status").equalTo(DayPlan.LANDED), lit(false)));
        derived.put("departure_delay", minutesBetween(col("scheduled_departure"), col("actual_departure")));
        derived.put("arrival_delay", minutesBetween(col("scheduled_arrival"), col("actual_arrival")));
        Dataset<Row> legs = flights.join(ops, flights.col("flight_number").equalTo(ops.col("flight_number")), "left")
                .drop(ops.col("flight_number"))
                .join(sold, flights.col("flight_number").equalTo(sold.col("flight_number")), "left")
                .drop(sold.col("flight_number"))
                .withColumns(derived);

        // Ground time: each aircraft's operated legs in order (its cancelled legs are a window partition of their
        // own); from one landing to the next departure, at that airport.
        Column operated = col("cancelled").equalTo(lit(false));
        Dataset<Row> withTurns = legs
                .withColumn("next_departure", lead(coalesce(col("actual_departure"), col("scheduled_departure")), 1)
                        .over(Window.partitionBy("tail_number", "cancelled").orderBy("scheduled_departure")))
                .withColumn("turn", operated.and(col("next_departure").isNotNull()));

        // Both grains in one aggregation over the legs: the day's tables are read, joined and ordered once. A route
        // row groups by (origin, destination, model), a ground row by (destination, model): grouping sets.
        Dataset<Row> totals = withTurns.groupingSets(
                        seqOf(seqOf(col("flight_day"), col("origin"), col("destination"), col("aircraft_model")),
                                seqOf(col("flight_day"), col("destination"), col("aircraft_model"))),
                        col("flight_day"), col("origin"), col("destination"), col("aircraft_model"))
                .agg(grouping("origin").equalTo(1).as("is_ground"),
                        count(lit(1)).as("flights"),
                        sum(when(col("cancelled"), 1).otherwise(0)).cast("long").as("cancelled_flights"),
                        sum(when(operated, col("seats")).otherwise(0)).cast("long").as("capacity"),
                        sum(when(operated, coalesce(col("booked_seats"), lit(0)))).cast("long").as("seats_sold"),
                        sum(when(operated, col("booked_revenue"))).as("revenue_sum"),
                        sum(when(col("landed"), 1).otherwise(0)).cast("long").as("flown"),
                        sum(when(col("landed").and(col("departure_delay").lt(ON_TIME_MINUTES)), 1).otherwise(0)).as("on_time_departures"),
                        sum(when(col("landed").and(col("arrival_delay").lt(ON_TIME_MINUTES)), 1).otherwise(0)).as("on_time_arrivals"),
                        sum(when(col("landed"), greatest(col("departure_delay"), lit(0)))).as("departure_delay_sum"),
                        sum(when(col("landed"), greatest(col("arrival_delay"), lit(0)))).as("arrival_delay_sum"),
                        sum(when(col("turn"), 1).otherwise(0)).cast("long").as("turns"),
                        sum(when(col("turn"), minutesBetween(coalesce(col("actual_arrival"), col("scheduled_arrival")),
                                col("next_departure")))).cast("long").as("idle_minutes"));

        // One select for both kinds of row (two selects and a union would plan the aggregation twice); a ground row
        // only where the aircraft model turned at the airport.
        Column ground = col("is_ground");
        Column route = ground.equalTo(false);
        return totals.where(route.or(col("turns").gt(0))).select(
                col("flight_day"), when(ground, lit("ground")).otherwise(lit("route")).as("grain"),
                col("origin"), when(route, col("destination")).as("destination"),
                when(ground, col("destination")).as("airport"), col("aircraft_model"),
                when(route, col("flights")).as("flights"), when(route, col("cancelled_flights")).as("cancelled_flights"),
                when(route, col("capacity")).as("capacity"), when(route, col("seats_sold")).as("seats_sold"),
                when(route, round(ratio(col("seats_sold"), col("capacity")), 4)).as("load_factor"),
                when(route, coalesce(col("revenue_sum"), lit(0)).cast("decimal(20,2)")).as("revenue"),
                when(route, col("flown")).as("flown"),
                when(route, round(ratio(col("on_time_departures"), col("flown")), 4)).as("on_time_departure_rate"),
                when(route, round(ratio(col("on_time_arrivals"), col("flown")), 4)).as("on_time_arrival_rate"),
                when(route, round(ratio(col("departure_delay_sum"), col("flown")), 2)).as("avg_departure_delay_min"),
                when(route, round(ratio(col("arrival_delay_sum"), col("flown")), 2)).as("avg_arrival_delay_min"),
                when(ground, col("turns")).as("turns"), when(ground, col("idle_minutes")).as("idle_minutes"),
                when(ground, round(ratio(col("idle_minutes"), col("turns")), 2)).as("avg_idle_minutes"));
    }

    @SafeVarargs
    private static <T> scala.collection.immutable.Seq<T> seqOf(T... items) {
        return scala.jdk.javaapi.CollectionConverters.asScala(List.of(items)).toList();
    }

    /** Whole minutes from {@code from} to {@code to} (negative when early); null when either is null. */
    private static Column minutesBetween(Column from, Column to) {
        return unix_timestamp(to).minus(unix_timestamp(from)).divide(60).cast("long");
    }

    /** numerator / denominator as a double; null when the denominator is 0 or null. */
    private static Column ratio(Column numerator, Column denominator) {
        return when(denominator.gt(0), numerator.cast("double").divide(denominator.cast("double")));
    }
}
