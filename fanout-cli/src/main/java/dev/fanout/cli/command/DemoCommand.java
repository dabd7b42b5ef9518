package dev.fanout.cli.command;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.ErrorInfo;
import dev.fanout.Items;
import dev.fanout.Parallelism;
import dev.fanout.cli.ExitCode;
import dev.fanout.cli.option.SizingOptions;
import dev.fanout.Fanout;
import dev.fanout.FanoutException;
import dev.fanout.examples.airline.AirlineConfig;
import dev.fanout.examples.airline.AirlineGenerator;
import dev.fanout.examples.airline.ApplyBatch;
import dev.fanout.examples.airline.DailyMetrics;
import dev.fanout.examples.airline.Warehouse;
import dev.fanout.BadInputException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"The airline example, end to end on the embedded local Spark and Delta tables:",
                "1. generate a year of airline data into --dir, unless it is there already (first run only);",
                "2. apply booking change file --batch to the bookings table (Delta MERGE), which returns the flight days it touched;",
                "3. recompute the DailyMetrics job for every touched day, --parallelism days at a time, with live progress;",
                "4. print the summary, a few of the resulting metrics, and where the tables are.",
                "Running it again is safe: it reuses the data, re-applies the batch (a no-op) and recomputes the same days.",
                ""})
public final class DemoCommand extends SparkCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "fanout-demo",
            description = "Where the Delta tables and batch files live (default: ./${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--scale", paramLabel = "X", defaultValue = "1",
            description = "Data size: 1 is about 1,000 flights a day for a year (about 17 million bookings; generating it "
                    + "takes about a minute on 2 cores); 0.1 is a tenth, 3 three times. Only used when generating (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1",
            description = "Which booking change file to apply, 1 to 5: one per day from the data's 'today' (default: ${DEFAULT-VALUE}).")
    int batch;

    @picocli.CommandLine.Mixin
    SizingOptions sizing;

    @Override
    int execute() {
        Warehouse warehouse = new Warehouse(dir);
        AirlineConfig config = existingOrNew(warehouse);
        if (batch < 1 || batch > config.batches()) {
            throw new BadInputException("--batch must be between 1 and " + config.batches() + ", got " + batch);
        }
        Parallelism parallelism = sizing.parallelism(spark.master);
        items(warehouse, List.of()); // checks the -p constants before anything starts
        PrintStream err = env().err();
        try (BatchLauncher launcher = new BatchLauncher(env(), "demo", spark, run)) {
            SparkSession session = launcher.start(parallelism.max(), DemoCommand.class.getClassLoader(), "demo", Map.of());
            err.printf("fanout demo: airline daily metrics in %s%n", warehouse.dir());
            if (warehouse.generatedWith().isEmpty()) {
                err.printf("generating the data (scale %s, first run only)%n", config.scale());
                long t0 = System.nanoTime();
                AirlineGenerator.Summary s = AirlineGenerator.generate(session, warehouse, config, line -> err.println("  " + line));
                err.printf("  %,d flights, %,d bookings, %d batch files of %,d rows in all, in %.1f s%n",
                        s.flights(), s.bookings(), s.batchFiles(), s.batchRows(), seconds(t0));
            } else {
                err.printf("reusing the data generated there (scale %s); delete the directory to regenerate%n", config.scale());
            }
            Path file = warehouse.batchFile(batch);
            err.printf("applying batch file %d (%s) to the bookings table%n", batch, file);
            long t0 = System.nanoTime();
            List<String> days;
            try {
                String touched = Fanout.builder(session).parallelism(1).build()
                        .run(new ApplyBatch(), Map.of("batch", file.toString(), "warehouse", warehouse.dir().toString()));
                days = parseDays(touched);
            } catch (FanoutException e) {
                err.println("fanout demo: applying " + file + " failed: " + rootMessage(e));
                return ExitCode.FAILED;
            }
            err.printf("  %d flight days touched (%s .. %s) in %.1f s%n", days.size(),
                    days.isEmpty() ? "-" : days.get(0), days.isEmpty() ? "-" : days.get(days.size() - 1), seconds(t0));
            DailyMetrics.createTable(session, warehouse);
            err.printf("recomputing DailyMetrics for %d days, %s at a time, on %s%n", days.size(),
                    parallelism.dynamic() ? "auto" : Integer.toString(parallelism.max()), spark.master);
            Items items = items(warehouse, days);
            int exit = ForeachCommand.runOn(launcher, new LoadedJob(new DailyMetrics(), DemoCommand.class.getClassLoader()),
                    parallelism, false, sizing.executorWait(), items, days.size(), 0);
            printMetrics(session, warehouse, config, days, run.json ? err : env().out());
            err.printf("tables (Delta): %s/{bookings, flights, flight_ops, daily_metrics, ...}%n", warehouse.dir());
            err.printf("  metrics: %s (partitioned by flight_day)%n", warehouse.dailyMetrics());
            return exit;
        }
    }

    /** The configuration of the data in --dir, or the one to generate; bad combinations are usage errors. */
    private AirlineConfig existingOrNew(Warehouse warehouse) {
        Optional<AirlineConfig> existing;
        try {
            existing = warehouse.generatedWith();
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new BadInputException("--dir " + dir + ": " + e.getMessage() + "; delete the directory to regenerate");
        }
        boolean scaleGiven = spec.commandLine().getParseResult().hasMatchedOption("--scale");
        if (existing.isPresent()) {
            if (scaleGiven && existing.get().scale() != scale) {
                throw new BadInputException("--scale " + scale + ": --dir " + dir + " holds data generated with --scale "
                        + existing.get().scale() + "; use another --dir, or delete it to regenerate");
            }
            return existing.get();
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException("--dir " + dir + " is a file, not a directory");
        }
        try {
            return AirlineConfig.defaults(scale);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--scale " + scale + ": " + e.getMessage());
        }
    }

    private Items items(Warehouse warehouse, List<String> days) {
        return Items.withConstants(Items.of(DailyMetrics.params(warehouse, days), "the demo's days"), run.params, "-p");
    }

    /** ApplyBatch's exit value: a JSON array of dates. */
    static List<String> parseDays(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("ApplyBatch returned '" + json + "', not a JSON array of dates", e);
        }
    }

    /** A few lines of the resulting metrics: the busiest routes of the first day ahead, punctuality of the last day flown. */
    private static void printMetrics(SparkSession spark, Warehouse warehouse, AirlineConfig config, List<String> days, PrintStream out) {
        if (days.isEmpty()) {
            return;
        }
        Dataset<Row> metrics = spark.read().format("delta").load(warehouse.dailyMetrics());
        String ahead = days.stream().filter(d -> !LocalDate.parse(d).isBefore(config.asOf())).findFirst().orElse(days.get(0));
        out.printf("Top routes by revenue on %s:%n", ahead);
        out.printf("  %-8s %-9s %7s %15s %6s %12s%n", "route", "aircraft", "flights", "seats sold/cap", "load", "revenue");
        for (Row r : metrics.where(col("flight_day").equalTo(lit(Date.valueOf(ahead))).and(col("grain").equalTo("route")))
                .orderBy(desc("revenue"), col("origin"), col("destination")).limit(5).collectAsList()) {
            out.printf("  %-8s %-9s %7d %15s %5.1f%% %,12.2f%n", r.getAs("origin") + "-" + r.getAs("destination"),
                    r.getAs("aircraft_model"), r.<Long>getAs("flights"), r.getAs("seats_sold") + "/" + r.getAs("capacity"),
                    100 * r.<Double>getAs("load_factor"), r.<java.math.BigDecimal>getAs("revenue"));
        }
        days.stream().filter(d -> LocalDate.parse(d).isBefore(config.asOf())).reduce((a, b) -> b).ifPresent(flown -> {
            Row t = metrics.where(col("flight_day").equalTo(lit(Date.valueOf(flown))).and(col("grain").equalTo("route")))
                    .agg(sum("flown"), sum(col("on_time_departure_rate").multiply(col("flown"))),
                            sum(col("on_time_arrival_rate").multiply(col("flown"))), sum("revenue"))
                    .first();
            if (!t.isNullAt(0) && t.getLong(0) > 0) {
                out.printf("On %s (flown): %d flights, %.1f%% departed and %.1f%% arrived on time, revenue %,.2f%n", flown,
                        t.getLong(0), 100 * t.getDouble(1) / t.getLong(0), 100 * t.getDouble(2) / t.getLong(0), t.getDecimal(3));
            }
        });
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The job's own message (a run failure carries the job's exception as its cause). */
    private static String rootMessage(Throwable e) {
        return ErrorInfo.rootCause(e).getMessage();
    }
}
