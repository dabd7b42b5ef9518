package dev.fanout.examples.airline;

import java.io.Serializable;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The airline's network and daily schedule, derived deterministically from a seed: airports, aircraft
 * models, tails (each based at a hub), routes, and a day's legs. Each tail flies round trips out of its
 * hub from early morning to late evening, so the legs of a tail chain (it leaves from where it landed)
 * and ground time at an airport is well defined. Saturdays drop some evening round trips.
 */
final class Network implements Serializable {
    private static final long serialVersionUID = 1L;

    record Airport(String code, String city, String region) implements Serializable {}

    record Model(String name, int seats, double share) implements Serializable {}

    record Tail(String number, Model model, String base) implements Serializable {}

    record Route(String origin, String destination, int distanceKm, int blockMinutes, double demand) implements Serializable {}

    /**
     * One scheduled leg of the daily template. {@code index} is stable (it keys booking ids), {@code trip}
     * numbers the tail's round trips in the day (0-based), {@code depMinute} counts minutes from midnight UTC.
     */
    record Leg(int index, String flightNumber, Tail tail, Route route, int trip, int depMinute) implements Serializable {
        int arrMinute() {
            return depMinute + route.blockMinutes();
        }
    }

    /** Code, city, region; the first six are the hubs. */
    private static final String AIRPORTS = """
            JFK New York|NY, BOS Boston|MA, FLL Fort Lauderdale|FL, MCO Orlando|FL, SJU San Juan|PR, LAX Los Angeles|CA,
            EWR Newark|NJ, LGA New York La Guardia|NY, ATL Atlanta|GA, ORD Chicago|IL, DFW Dallas|TX, DEN Denver|CO,
            SFO San Francisco|CA, SEA Seattle|WA, LAS Las Vegas|NV, PHX Phoenix|AZ, IAH Houston|TX, MIA Miami|FL,
            CLT Charlotte|NC, MSP Minneapolis|MN, DTW Detroit|MI, PHL Philadelphia|PA, BWI Baltimore|MD, DCA Washington National|DC,
            IAD Washington Dulles|VA, SLC Salt Lake City|UT, SAN San Diego|CA, TPA Tampa|FL, PDX Portland|OR, STL St. Louis|MO,
            BNA Nashville|TN, AUS Austin|TX, MSY New Orleans|LA, RDU Raleigh-Durham|NC, SJC San Jose|CA, OAK Oakland|CA,
            SMF Sacramento|CA, SNA Santa Ana|CA, LGB Long Beach|CA, BUR Burbank|CA, ONT Ontario|CA, PSP Palm Springs|CA,
            SAT San Antonio|TX, MCI Kansas City|MO, CLE Cleveland|OH, CMH Columbus|OH, CVG Cincinnati|KY, IND Indianapolis|IN,
            PIT Pittsburgh|PA, BDL Hartford|CT, PVD Providence|RI, BTV Burlington|VT, PWM Portland|ME, MHT Manchester|NH,
            ALB Albany|NY, BUF Buffalo|NY, ROC Rochester|NY, SYR Syracuse|NY, HPN White Plains|NY, ISP Islip|NY,
            SWF Newburgh|NY, ORF Norfolk|VA, RIC Richmond|VA, CHS Charleston|SC, SAV Savannah|GA, JAX Jacksonville|FL,
            RSW Fort Myers|FL, PBI West Palm Beach|FL, SRQ Sarasota|FL, TLH Tallahassee|FL, PNS Pensacola|FL, MYR Myrtle Beach|SC,
            ACK Nantucket|MA, MVY Martha's Vineyard|MA, HYA Hyannis|MA, ABQ Albuquerque|NM, TUS Tucson|AZ, ELP El Paso|TX,
            RNO Reno|NV, BOI Boise|ID, ANC Anchorage|AK, HNL Honolulu|HI, OGG Kahului|HI, KOA Kona|HI,
            SJD San Jose del Cabo|MX, CUN Cancun|MX, PVR Puerto Vallarta|MX, MEX Mexico City|MX, GDL Guadalajara|MX, MTY Monterrey|MX,
            NAS Nassau|BS, MBJ Montego Bay|JM, KIN Kingston|JM, PUJ Punta Cana|DO, SDQ Santo Domingo|DO, STI Santiago|DO,
            POP Puerto Plata|DO, AUA Aruba|AW, CUR Curacao|CW, SXM St. Maarten|SX, STT St. Thomas|VI, STX St. Croix|VI,
            BDA Bermuda|BM, GCM Grand Cayman|KY, PLS Providenciales|TC, BGI Barbados|BB, UVF St. Lucia|LC, ANU Antigua|AG,
            POS Port of Spain|TT, GND Grenada|GD, PAP Port-au-Prince|HT, BQN Aguadilla|PR, PSE Ponce|PR, LIR Liberia|CR,
            SJO San Jose|CR, GUA Guatemala City|GT, SAL San Salvador|SV, PTY Panama City|PA, BOG Bogota|CO, MDE Medellin|CO,
            CTG Cartagena|CO, LIM Lima|PE, GYE Guayaquil|EC, UIO Quito|EC, YYZ Toronto|ON, YUL Montreal|QC,
            YVR Vancouver|BC, LHR London Heathrow|UK, LGW London Gatwick|UK, CDG Paris|FR, AMS Amsterdam|NL, DUB Dublin|IE,
            EDI Edinburgh|UK, MAN Manchester|UK
            """;

    private static final double[] HUB_WEIGHTS = {0.30, 0.22, 0.18, 0.14, 0.08, 0.08};

    private static final List<Model> MODELS = List.of(
            new Model("A320", 162, 0.40), new Model("A321", 200, 0.25),
            new Model("A220-300", 140, 0.20), new Model("E190", 100, 0.15));

    final List<Airport> airports;
    final List<Model> models = MODELS;
    final List<Tail> tails;
    final List<Route> routes;
    final List<Leg> legs;
    private final long seed;

    Network(long seed, int targetLegsPerDay) {
        this.seed = seed;
        this.airports = parseAirports();
        SplittableRandom r = new SplittableRandom(seed);
        this.routes = buildRoutes(r);
        Map<String, List<Route>> fromHub = new LinkedHashMap<>();
        for (Route route : routes) {
            if (isHub(route.origin())) {
                fromHub.computeIfAbsent(route.origin(), k -> new ArrayList<>()).add(route);
            }
        }
        this.tails = new ArrayList<>();
        this.legs = new ArrayList<>();
        while (legs.size() < targetLegsPerDay) {
            Tail tail = new Tail(String.format("N%03dFO", 100 + tails.size()), pickModel(r), hub(r));
            tails.add(tail);
            scheduleDay(tail, fromHub.get(tail.base()), r, targetLegsPerDay);
        }
    }

    private static List<Airport> parseAirports() {
        List<Airport> list = new ArrayList<>();
        for (String entry : AIRPORTS.replace('\n', ' ').split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            String[] cityRegion = e.substring(4).split("\\|");
            list.add(new Airport(e.substring(0, 3), cityRegion[0], cityRegion[1]));
        }
        return List.copyOf(list);
    }

    boolean isHub(String code) {
        for (int i = 0; i < HUB_WEIGHTS.length; i++) {
            if (airports.get(i).code().equals(code)) {
                return true;
            }
        }
        return false;
    }

    private String hub(SplittableRandom r) {
        double u = r.nextDouble();
        for (int i = 0; i < HUB_WEIGHTS.length; i++) {
            u -= HUB_WEIGHTS[i];
            if (u < 0) {
                return airports.get(i).code();
            }
        }
        return airports.get(0).code();
    }

    private static Model pickModel(SplittableRandom r) {
        double u = r.nextDouble();
        for (Model m : MODELS) {
            u -= m.share();
            if (u < 0) {
                return m;
            }
        }
        return MODELS.get(0);
    }

    /** Every airport is served from one to three hubs, hubs from each other; both directions, same distance. */
    private List<Route> buildRoutes(SplittableRandom r) {
        List<Route> list = new ArrayList<>();
        int hubs = HUB_WEIGHTS.length;
        for (int i = 0; i < airports.size(); i++) {
            String a = airports.get(i).code();
            List<String> peers = new ArrayList<>();
            if (i < hubs) {
                for (int j = i + 1; j < hubs; j++) {
                    peers.add(airports.get(j).code());
                }
            } else {
                String first = hub(r);
                peers.add(first);
                for (int j = 0; j < hubs; j++) {
                    String h = airports.get(j).code();
                    if (!h.equals(first) && r.nextDouble() < 0.25) {
                        peers.add(h);
                    }
                }
            }
            for (String b : peers) {
                int km = 250 + r.nextInt(4300);
                int block = 5 * Math.round((30 + km / 13f) / 5);
                double demand = 0.62 + 0.3 * r.nextDouble();
                list.add(new Route(b, a, km, block, demand));
                list.add(new Route(a, b, km, block, demand));
            }
        }
        list.sort(Comparator.comparing(Route::origin).thenComparing(Route::destination));
        return List.copyOf(list);
    }

    /** Round trips out of the tail's hub from 05:30-08:00 until the last one would land after 23:45. */
    private void scheduleDay(Tail tail, List<Route> options, SplittableRandom r, int target) {
        int t = 330 + 5 * r.nextInt(31);
        for (int trip = 0; legs.size() < target; trip++) {
            Route out = options.get(r.nextInt(options.size()));
            Route back = findRoute(out.destination(), out.origin());
            int turnAway = 35 + 5 * r.nextInt(9);
            int turnHome = 40 + 5 * r.nextInt(9);
            int backDep = t + out.blockMinutes() + turnAway;
            if (backDep + back.blockMinutes() > 23 * 60 + 45) {
                return;
            }
            legs.add(new Leg(legs.size(), flightNumber(legs.size()), tail, out, trip, t));
            legs.add(new Leg(legs.size(), flightNumber(legs.size()), tail, back, trip, backDep));
            t = backDep + back.blockMinutes() + turnHome;
        }
    }

    private static String flightNumber(int index) {
        return "FO" + (101 + index);
    }

    private Route findRoute(String origin, String destination) {
        for (Route route : routes) {
            if (route.origin().equals(origin) && route.destination().equals(destination)) {
                return route;
            }
        }
        throw new IllegalStateException("no route " + origin + "-" + destination);
    }

    /** The legs flown on a day, in template order: on Saturdays some tails skip their last round trip. */
    List<Leg> legsOn(LocalDate day) {
        if (day.getDayOfWeek() != DayOfWeek.SATURDAY) {
            return legs;
        }
        SplittableRandom r = new SplittableRandom(mix(seed, day.toEpochDay(), 7));
        Map<String, Integer> lastTrip = new LinkedHashMap<>();
        for (Leg leg : legs) {
            lastTrip.merge(leg.tail().number(), leg.trip(), Math::max);
        }
        Map<String, Boolean> drop = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : lastTrip.entrySet()) {
            drop.put(e.getKey(), e.getValue() > 0 && r.nextDouble() < 0.4);
        }
        List<Leg> kept = new ArrayList<>(legs.size());
        for (Leg leg : legs) {
            if (!(drop.get(leg.tail().number()) && leg.trip() == lastTrip.get(leg.tail().number()))) {
                kept.add(leg);
            }
        }
        return kept;
    }

    /** A well-spread 64-bit seed from several numbers (SplitMix64 finalizer over a running hash). */
    static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = (h ^ p) * 0xBF58476D1CE4E5B9L;
            h = (h ^ (h >>> 31)) * 0x94D049BB133111EBL;
            h ^= h >>> 29;
        }
        return h;
    }
}
