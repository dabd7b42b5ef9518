package dev.fanout.examples.airline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import dev.fanout.BadParameterException;
import dev.fanout.JobContext;
import dev.fanout.NonRetryableException;
import dev.fanout.SparkJob;
import io.delta.tables.DeltaTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Merges one booking change file into the {@code bookings} Delta table and returns the flight days it touched, as a
 * JSON array of dates ({@code ["2026-08-20","2026-09-02"]}): the days whose metrics must be recomputed.
 * Parameters: {@code batch} (the CSV file) and {@code warehouse} (the data directory).
 *
 * <p>Delta MERGE on the booking id (and its flight day, so only the touched days' files are rewritten): a new
 * booking is inserted; a changed one replaces the stored record; a cancellation marks it {@code CANCELLED}. A record
 * older than the stored one is ignored, so applying a file twice, or an old file after a newer one, changes nothing.
 * The file is checked first: a wrong header, a malformed row or a flight that does not exist fails the run with the
 * file and an example, before anything is written; it is not retried. Once the file is checked, it creates the
 * (empty) {@code daily_metrics} table unless it exists, so that the days it returns can be recomputed in parallel
 * right after it (the next task of {@code workflows/airline.yml}) with no step of their own. Once merged, a file of
 * the warehouse's own {@code batches/} is noted as applied ({@link Warehouse#markApplied}), which is how
 * {@code fanout demo} picks the next one.
 */
public final class ApplyBatch implements SparkJob {
    static final StructType FILE_SCHEMA = new StructType()
            .add("record_type", DataTypes.StringType).add("booking_id", DataTypes.LongType)
            .add("flight_date", DataTypes.DateType).add("flight_number", DataTypes.StringType)
            .add("origin", DataTypes.StringType).add("destination", DataTypes.StringType)
            .add("fare_class", DataTypes.StringType).add("seats", DataTypes.IntegerType)
            .add("fare", DataTypes.createDecimalType(10, 2)).add("status", DataTypes.StringType)
            .add("created_at", DataTypes.TimestampType).add("updated_at", DataTypes.TimestampType)
            .add("_corrupt_record", DataTypes.StringType);

    @Override
    public String name() {
        return "ApplyBatch";
    }

    @Override
    public String run(JobContext context) {
        Path file = Path.of(context.get("batch")).toAbsolutePath().normalize();
        Warehouse warehouse = new Warehouse(Path.of(context.get("warehouse")));
        checkHeader(file);
        SparkSession spark = context.spark();
        DailyMetrics.requireTable(spark, warehouse.bookings(), "generate the data first (fanout demo, or AirlineGenerator)");

        Dataset<Row> records = spark.read().schema(FILE_SCHEMA).option("header", "true").option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", "_corrupt_record").csv(file.toString()).cache();
        try {
            rejectMalformed(file, records);
            List<Date> days = records.select("flight_date").distinct().orderBy("flight_date").collectAsList().stream()
                    .map(r -> r.getDate(0)).toList();
            if (!days.isEmpty()) {
                rejectUnknownFlights(file, spark, warehouse, records, col("flight_day").isin(days.toArray()));
            }
            // What runs next recomputes the touched days in parallel: their table must exist by then (see DailyMetrics).
            DailyMetrics.createTable(spark, warehouse);
            if (days.isEmpty()) {
                warehouse.markApplied(file);
                return "[]";
            }

            // A booking changed twice in one file: its latest record wins (MERGE needs one source row per target row).
            Dataset<Row> latest = records
                    .withColumn("rank", row_number().over(Window.partitionBy("booking_id").orderBy(col("updated_at").desc())))
                    .where(col("rank").equalTo(1))
                    .select(col("booking_id"), col("flight_date").as("flight_day"), col("flight_number"), col("fare_class"),
                            col("seats"), col("fare"), col("status"), col("created_at"), col("updated_at"));
            DeltaCommits.retryOnConflict("merge " + file.getFileName(), () -> DeltaTable.forPath(spark, warehouse.bookings()).as("t")
                    .merge(latest.as("s"), col("t.booking_id").equalTo(col("s.booking_id"))
                            .and(col("t.flight_day").equalTo(col("s.flight_day")))
                            .and(col("t.flight_day").isin(days.toArray())))
                    .whenMatched(col("s.updated_at").geq(col("t.updated_at")).and(col("s.status").equalTo(lit(DayPlan.CANCELLED))))
                    .update(Map.of("status", col("s.status"), "updated_at", col("s.updated_at")))
                    .whenMatched(col("s.updated_at").geq(col("t.updated_at")))
                    .updateAll()
                    .whenNotMatched()
                    .insertAll()
                    .execute());
            warehouse.markApplied(file); // what `fanout demo` reads to apply the next file
            return days.stream().map(d -> "\"" + d.toLocalDate() + "\"").collect(Collectors.joining(",", "[", "]"));
        } finally {
            records.unpersist();
        }
    }

    private static void checkHeader(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadParameterException("batch", "no such file: " + file);
        }
        String expected = BatchFiles.HEADER;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.strip().equals(expected)) {
                throw new NonRetryableException(file + ": line 1 is '" + (header == null ? "" : header.strip())
                        + "', expected the header '" + expected + "'");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void rejectMalformed(Path file, Dataset<Row> records) {
        Column bad = col("_corrupt_record").isNotNull()
                .or(col("booking_id").isNull()).or(col("flight_date").isNull()).or(col("flight_number").isNull())
                .or(col("fare_class").isNull()).or(col("fare").isNull()).or(col("created_at").isNull()).or(col("updated_at").isNull())
                .or(col("seats").isNull()).or(col("seats").lt(1))
                .or(col("status").isNull()).or(col("status").isin(DayPlan.CONFIRMED, DayPlan.CANCELLED).unary_$bang())
                .or(col("record_type").isNull()).or(col("record_type").isin("NEW", "CHANGE", "CANCEL").unary_$bang());
        Dataset<Row> malformed = records.where(bad);
        long count = malformed.count();
        if (count > 0) {
            Row first = malformed.first();
            String text = first.isNullAt(first.fieldIndex("_corrupt_record")) ? first.mkString(",")
                    : first.getString(first.fieldIndex("_corrupt_record"));
            throw new NonRetryableException(file + ": " + count + " malformed row(s) (a missing or unparseable field, seats below 1,"
                    + " or an unknown status or record_type); the first: '" + text + "'");
        }
    }

    private static void rejectUnknownFlights(Path file, SparkSession spark, Warehouse warehouse, Dataset<Row> records, Column touched) {
        Dataset<Row> flights = spark.read().format("delta").load(warehouse.flights()).where(touched).select("flight_day", "flight_number");
        Dataset<Row> unknown = records.join(flights, records.col("flight_date").equalTo(flights.col("flight_day"))
                .and(records.col("flight_number").equalTo(flights.col("flight_number"))), "left_anti");
        long count = unknown.count();
        if (count > 0) {
            Row first = unknown.first();
            throw new NonRetryableException(file + ": " + count + " row(s) name a flight that is not in the schedule; the first: flight "
                    + first.getAs("flight_number") + " on " + first.getAs("flight_date") + " (booking " + first.getAs("booking_id") + ")");
        }
    }
}
