package dev.fanout.examples.airline;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What happened (or is planned) on one flight day, as a pure function of the seed and the day: the legs flown,
 * their operations (for days before "today"), and the bookings of each leg. Spark tasks call it to write the
 * tables; the batch writer calls it again to pick existing bookings to change, and gets the same answer.
 * All times are UTC.
 */
final class DayPlan implements Serializable {
    private static final long serialVersionUID = 1L;

    static final String CONFIRMED = "CONFIRMED";
    static final String CANCELLED = "CANCELLED";
    static final String LANDED = "LANDED";

    /** Fare classes with their share of bookings and price multiplier. */
    static final String[] FARE_CLASSES = {"BASIC", "BLUE", "EXTRA", "MINT"};
    private static final double[] FARE_SHARE = {0.30, 0.45, 0.18, 0.07};
    static final double[] FARE_MULTIPLIER = {0.75, 1.0, 1.35, 3.2};
    private static final int[] PARTY = {1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 4, 4, 5};

    record Ops(String status, Instant actualDep, Instant actualArr) {}

    record Booking(long id, int fareClass, int seats, BigDecimal fare, String status, Instant createdAt, Instant updatedAt) {}

    final AirlineConfig config;
    final Network network;

    DayPlan(AirlineConfig config, Network network) {
        this.config = config;
        this.network = network;
    }

    static Instant at(LocalDate day, int minute) {
        return day.atStartOfDay().toInstant(ZoneOffset.UTC).plusSeconds(60L * minute);
    }

    Instant asOfInstant() {
        return at(config.asOf(), 0);
    }

    boolean flown(LocalDate day) {
        return day.isBefore(config.asOf());
    }

    /**
     * Operations of a flown day's legs, in the order of {@code legs}: each tail's round trips in turn; a cancelled
     * round trip cancels both legs (the aircraft stays at its hub); a late arrival delays the tail's next departure.
     */
    List<Ops> operations(LocalDate day, List<Network.Leg> legs) {
        SplittableRandom r = new SplittableRandom(Network.mix(config.seed(), day.toEpochDay(), 11));
        List<Ops> ops = new ArrayList<>(legs.size());
        String tail = null;
        Instant readyAt = null;
        boolean tripCancelled = false;
        for (Network.Leg leg : legs) {
            if (!leg.tail().number().equals(tail)) {
                tail = leg.tail().number();
                readyAt = null;
            }
            boolean outbound = leg.route().origin().equals(leg.tail().base());
            if (outbound) {
                tripCancelled = r.nextDouble() < 0.012;
            }
            if (tripCancelled) {
                ops.add(new Ops(CANCELLED, null, null));
                continue;
            }
            Instant scheduled = at(day, leg.depMinute());
            Instant dep = scheduled.plusSeconds(60L * ownDelay(r));
            if (readyAt != null && dep.isBefore(readyAt)) {
                dep = readyAt;
            }
            Instant arr = dep.plusSeconds(60L * (leg.route().blockMinutes() - 12 + r.nextInt(25)));
            ops.add(new Ops(LANDED, dep, arr));
            readyAt = arr.plusSeconds(30 * 60L);
        }
        return ops;
    }

    /** Minutes: most flights leave within a few minutes of schedule, some much later. */
    private static int ownDelay(SplittableRandom r) {
        double u = r.nextDouble();
        if (u < 0.76) {
            return -6 + r.nextInt(15);
        } else if (u < 0.92) {
            return 9 + r.nextInt(32);
        } else if (u < 0.985) {
            return 40 + r.nextInt(81);
        }
        return 120 + r.nextInt(181);
    }

    /**
     * The bookings of a leg as they stand on "today": a load that depends on the route's demand and the season,
     * of which flights further ahead have sold less; about 4 % of bookings are cancelled.
     */
    List<Booking> bookings(LocalDate day, Network.Leg leg) {
        SplittableRandom r = new SplittableRandom(Network.mix(config.seed(), day.toEpochDay(), leg.index(), 13));
        int seats = leg.tail().model().seats();
        long daysAhead = day.toEpochDay() - config.asOf().toEpochDay();
        double sold = daysAhead < 0 ? 1.0 : 0.08 + 0.92 * Math.exp(-daysAhead / 55.0);
        double load = Math.min(1.0, leg.route().demand() * season(day) * (0.9 + 0.2 * r.nextDouble()));
        int target = (int) Math.round(seats * load * sold);
        Instant departure = at(day, leg.depMinute());
        Instant latestCreation = departure.isBefore(asOfInstant()) ? departure : asOfInstant();
        List<Booking> list = new ArrayList<>();
        int confirmedSeats = 0;
        long firstId = (day.toEpochDay() - config.start().toEpochDay()) * 100_000_000L + leg.index() * 1_000L + 1;
        while (confirmedSeats < target) {
            int party = Math.min(PARTY[r.nextInt(PARTY.length)], target - confirmedSeats);
            int fareClass = fareClass(r);
            Instant created = latestCreation.minusSeconds(60L * (60 + (long) (r.nextDouble() * 60 * 24 * Math.min(300, 1 + expo(r, 40)))));
            boolean cancelled = r.nextDouble() < 0.04;
            Instant updated = cancelled ? created.plusSeconds((long) (r.nextDouble() * (latestCreation.getEpochSecond() - created.getEpochSecond())))
                    : created;
            list.add(new Booking(firstId + list.size(), fareClass, party, fare(leg.route(), fareClass, party, r),
                    cancelled ? CANCELLED : CONFIRMED, created, updated));
            if (!cancelled) {
                confirmedSeats += party;
            }
        }
        return list;
    }

    private static double expo(SplittableRandom r, double mean) {
        return -mean * Math.log(1 - r.nextDouble());
    }

    static int fareClass(SplittableRandom r) {
        double u = r.nextDouble();
        for (int i = 0; i < FARE_SHARE.length; i++) {
            u -= FARE_SHARE[i];
            if (u < 0) {
                return i;
            }
        }
        return 1;
    }

    /** Total fare of a booking, in dollars and cents. */
    static BigDecimal fare(Network.Route route, int fareClass, int seats, SplittableRandom r) {
        double perSeat = (39 + 0.085 * route.distanceKm()) * FARE_MULTIPLIER[fareClass] * (0.85 + 0.4 * r.nextDouble());
        return BigDecimal.valueOf(perSeat * seats).setScale(2, RoundingMode.HALF_UP);
    }

    /** Summer and the year-end holidays fly fuller; late January and September emptier. */
    static double season(LocalDate day) {
        int doy = day.getDayOfYear();
        double s = 0.92 + 0.08 * Math.cos(2 * Math.PI * (doy - 196) / 365.0);
        if (doy >= 350 || doy <= 3) {
            s += 0.08;
        }
        return s;
    }
}
