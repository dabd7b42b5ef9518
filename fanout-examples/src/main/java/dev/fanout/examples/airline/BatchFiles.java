package dev.fanout.examples.airline;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The booking change files a booking system exports once a day: every booking created, changed or cancelled in
 * that period, one CSV row each with the booking's full record. About 10 % touch flights of the past two weeks
 * (late cancellations, corrections); the rest touch the coming months, most of them the next few weeks.
 */
final class BatchFiles {
    static final String HEADER = "record_type,booking_id,flight_date,flight_number,origin,destination,fare_class,seats,fare,status,"
            + "created_at,updated_at";
    private static final DateTimeFormatter UTC = DateTimeFormatter.ISO_INSTANT;

    private BatchFiles() {}

    /** Writes every batch file of the configuration; returns the number of rows written. */
    static long write(DayPlan plan, Warehouse warehouse) {
        long rows = 0;
        for (int n = 1; n <= plan.config.batches(); n++) {
            rows += write(plan, warehouse.batchFile(n), n);
        }
        return rows;
    }

    private static int write(DayPlan plan, Path file, int number) {
        AirlineConfig config = plan.config;
        LocalDate exported = config.batchDate(number);
        Instant periodStart = DayPlan.at(exported, 0);
        SplittableRandom r = new SplittableRandom(Network.mix(config.seed(), number, 17));
        Map<String, Integer> addedSeats = new HashMap<>();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        int written = 0;
        try {
            Files.createDirectories(file.getParent());
            try (BufferedWriter w = Files.newBufferedWriter(tmp)) {
                w.write(HEADER);
                w.newLine();
                for (int i = 0; i < config.batchRows(); i++) {
                    boolean past = r.nextDouble() < 0.10;
                    LocalDate day = past ? exported.minusDays(1 + r.nextInt(14))
                            : exported.plusDays((long) Math.min(config.days(), -28 * Math.log(1 - r.nextDouble())));
                    if (day.isBefore(config.start()) || day.isAfter(config.end())) {
                        continue;
                    }
                    List<Network.Leg> legs = plan.network.legsOn(day);
                    Network.Leg leg = legs.get(r.nextInt(legs.size()));
                    Instant changedAt = periodStart.plusSeconds(r.nextInt(24 * 3600));
                    double u = r.nextDouble();
                    String line = past || u >= 0.55
                            ? change(plan, day, leg, r, changedAt, past ? u < 0.6 : u >= 0.85)
                            : null;
                    if (line == null) {
                        line = newBooking(plan, day, leg, r, changedAt, 9_000_000_000_000L + number * 10_000_000L + i, addedSeats);
                    }
                    if (line != null) {
                        w.write(line);
                        w.newLine();
                        written++;
                    }
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write batch file " + file, e);
        }
        return written;
    }

    /** A change or cancellation of one of the leg's confirmed bookings; null when it has none. */
    private static String change(DayPlan plan, LocalDate day, Network.Leg leg, SplittableRandom r, Instant at, boolean cancel) {
        List<DayPlan.Booking> existing = plan.bookings(day, leg).stream().filter(b -> b.status().equals(DayPlan.CONFIRMED)).toList();
        if (existing.isEmpty()) {
            return null;
        }
        DayPlan.Booking b = existing.get(r.nextInt(existing.size()));
        if (cancel) {
            return line("CANCEL", b.id(), day, leg, b.fareClass(), b.seats(), b.fare(), DayPlan.CANCELLED, b.createdAt(), at);
        }
        int fareClass = Math.min(DayPlan.FARE_CLASSES.length - 1, b.fareClass() + (r.nextDouble() < 0.6 ? 1 : 0));
        int seats = Math.max(1, b.seats() + (r.nextDouble() < 0.3 ? -1 : 0));
        return line("CHANGE", b.id(), day, leg, fareClass, seats, DayPlan.fare(leg.route(), fareClass, seats, r), DayPlan.CONFIRMED,
                b.createdAt(), at);
    }

    /** A new booking, unless the flight is (nearly) full: then null. */
    private static String newBooking(DayPlan plan, LocalDate day, Network.Leg leg, SplittableRandom r, Instant at, long id,
                                     Map<String, Integer> addedSeats) {
        String key = day + "/" + leg.index();
        int seats = 1 + (r.nextDouble() < 0.35 ? r.nextInt(4) : 0);
        int sold = addedSeats.computeIfAbsent(key, k -> plan.bookings(day, leg).stream()
                .filter(b -> b.status().equals(DayPlan.CONFIRMED)).mapToInt(DayPlan.Booking::seats).sum());
        if (sold + seats > leg.tail().model().seats()) {
            return null;
        }
        addedSeats.put(key, sold + seats);
        int fareClass = DayPlan.fareClass(r);
        return line("NEW", id, day, leg, fareClass, seats, DayPlan.fare(leg.route(), fareClass, seats, r), DayPlan.CONFIRMED, at, at);
    }

    private static String line(String type, long id, LocalDate day, Network.Leg leg, int fareClass, int seats, BigDecimal fare,
                               String status, Instant created, Instant updated) {
        return String.join(",", type, Long.toString(id), day.toString(), leg.flightNumber(), leg.route().origin(),
                leg.route().destination(), DayPlan.FARE_CLASSES[fareClass], Integer.toString(seats), fare.toPlainString(), status,
                UTC.format(created), UTC.format(updated));
    }
}
