package dev.fanout.examples.airline;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Properties;

/**
 * What the generator makes. {@code scale} multiplies the number of flights a day (1.0: about 1,000),
 * and with it the bookings and the size of each batch file; the network (airports, routes) is the same at
 * every scale. Flight operations (actual times) exist for days before {@code asOf}, "today" in the data;
 * the batch files are dated from {@code asOf} on.
 */
public record AirlineConfig(long seed, double scale, LocalDate start, int days, LocalDate asOf, int batches)
        implements java.io.Serializable {
    public static final long DEFAULT_SEED = 20260101L;
    public static final double MAX_SCALE = 50;

    public AirlineConfig {
        if (!(scale > 0) || scale > MAX_SCALE) {
            throw new IllegalArgumentException("scale must be above 0 and at most " + MAX_SCALE + ", got " + scale);
        }
        if (days < 1 || days > 3660) {
            throw new IllegalArgumentException("days must be between 1 and 3660, got " + days);
        }
        if (asOf.isBefore(start) || asOf.isAfter(start.plusDays(days))) {
            throw new IllegalArgumentException("asOf " + asOf + " must lie within " + start + " .. " + start.plusDays(days));
        }
        if (batches < 1 || batches > 999) {
            throw new IllegalArgumentException("batches must be between 1 and 999, got " + batches);
        }
    }

    /** A year from 2026-01-01 with "today" on 2026-10-15 (nine and a half months flown, two and a half ahead), five batch files. */
    public static AirlineConfig defaults(double scale) {
        return new AirlineConfig(DEFAULT_SEED, scale, LocalDate.of(2026, 1, 1), 365, LocalDate.of(2026, 10, 15), 5);
    }

    public LocalDate end() {
        return start.plusDays(days - 1L);
    }

    /** About 1,000 flights a day at scale 1; never fewer than 4 (two aircraft, one round trip each). */
    public int targetFlightsPerDay() {
        return (int) Math.max(4, Math.round(1000 * scale));
    }

    /** Rows in one batch file: 20,000 at scale 1, at least 60. */
    public int batchRows() {
        return (int) Math.max(60, Math.round(20_000 * scale));
    }

    /** The day batch file {@code number} (1-based) was exported: one a day from {@code asOf}. */
    public LocalDate batchDate(int number) {
        return asOf.plusDays(number - 1L);
    }

    Properties toProperties() {
        Properties p = new Properties();
        p.setProperty("seed", Long.toString(seed));
        p.setProperty("scale", Double.toString(scale));
        p.setProperty("start", start.toString());
        p.setProperty("days", Integer.toString(days));
        p.setProperty("asOf", asOf.toString());
        p.setProperty("batches", Integer.toString(batches));
        return p;
    }

    static AirlineConfig fromProperties(Properties p, String source) {
        try {
            return new AirlineConfig(Long.parseLong(required(p, "seed")), Double.parseDouble(required(p, "scale")),
                    LocalDate.parse(required(p, "start")), Integer.parseInt(required(p, "days")),
                    LocalDate.parse(required(p, "asOf")), Integer.parseInt(required(p, "batches")));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("missing '" + key + "'");
        }
        return v.trim();
    }
}
