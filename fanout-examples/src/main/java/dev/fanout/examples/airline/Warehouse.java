package dev.fanout.examples.airline;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the airline's Delta tables and batch files live: one local directory.
 *
 * <pre>
 * DIR/airports, aircraft_models, aircraft, routes     dimensions (small, unpartitioned)
 * DIR/flights, flight_ops, bookings                  facts, partitioned by flight_day
 * DIR/daily_metrics                                  DailyMetrics' output, partitioned by flight_day
 * DIR/batches/batch-0001.csv ...                     booking change files, as a booking system exports them
 * DIR/airline.properties                             what was generated (written last: its presence means complete)
 * </pre>
 */
public record Warehouse(Path dir) {
    public static final String MANIFEST = "airline.properties";

    public Warehouse {
        dir = dir.toAbsolutePath().normalize();
    }

    public String table(String name) {
        return dir.resolve(name).toString();
    }

    public String airports() {
        return table("airports");
    }

    public String aircraftModels() {
        return table("aircraft_models");
    }

    public String aircraft() {
        return table("aircraft");
    }

    public String routes() {
        return table("routes");
    }

    public String flights() {
        return table("flights");
    }

    public String flightOps() {
        return table("flight_ops");
    }

    public String bookings() {
        return table("bookings");
    }

    public String dailyMetrics() {
        return table("daily_metrics");
    }

    public Path batchFile(int number) {
        return dir.resolve("batches").resolve(String.format("batch-%04d.csv", number));
    }

    /** The configuration the data here was generated with, or empty when there is no complete data set. */
    public Optional<AirlineConfig> generatedWith() {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(manifest)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + manifest, e);
        }
        return Optional.of(AirlineConfig.fromProperties(p, manifest.toString()));
    }

    void writeManifest(AirlineConfig config, String comment) {
        try (Writer w = Files.newBufferedWriter(dir.resolve(MANIFEST))) {
            config.toProperties().store(w, comment);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(MANIFEST), e);
        }
    }
}
