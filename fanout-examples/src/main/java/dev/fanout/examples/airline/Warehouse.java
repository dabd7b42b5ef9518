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
 * DIR/batches/applied/batch-0001.csv ...             one empty file per batch file ApplyBatch has merged into bookings
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

    /**
     * Notes that ApplyBatch merged {@code file} into {@code bookings}, when it is one of this warehouse's batch files (an
     * empty file of the same name under {@code batches/applied}). Written after the MERGE committed; since applying a file
     * again is a no-op, a note lost to a crash in between only means the file is applied once more.
     */
    public void markApplied(Path file) {
        Path batches = dir.resolve("batches");
        Path f = file.toAbsolutePath().normalize();
        if (!batches.equals(f.getParent())) {
            return;
        }
        Path note = batches.resolve("applied").resolve(f.getFileName());
        try {
            Files.createDirectories(note.getParent());
            if (!Files.exists(note)) {
                Files.createFile(note);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + note, e);
        }
    }

    /** Whether batch file {@code number} has been applied to {@code bookings} (see {@link #markApplied}). */
    public boolean applied(int number) {
        return Files.exists(dir.resolve("batches").resolve("applied").resolve(batchFile(number).getFileName()));
    }

    /** The first of batch files 1 to {@code batches} not applied yet; empty when all are. */
    public java.util.OptionalInt nextBatch(int batches) {
        for (int n = 1; n <= batches; n++) {
            if (!applied(n)) {
                return java.util.OptionalInt.of(n);
            }
        }
        return java.util.OptionalInt.empty();
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
