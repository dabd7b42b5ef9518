package dev.fanout.internal.items;

import dev.fanout.BadInputException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An inclusive range of ISO dates (step in days) or integers, {@code NAME=FROM..TO[:STEP]}, as items computed on
 * demand: the i-th item is {@code FROM + i * STEP}, so a range of a million days costs no memory.
 * Messages name the range as the command line's {@code --range} option writes it.
 */
public final class Range {
    /** A range beyond this many items is almost surely a typo. */
    public static final long MAX_ITEMS = 10_000_000;
    private static final String NAME = "[A-Za-z_][A-Za-z0-9_.-]*";
    private static final Pattern ISO_DATE_SHAPE = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})");
    private static final Pattern SPEC = Pattern.compile("(" + NAME + ")=([^.:]+)\\.\\.([^:]+)(?::(.+))?");

    private final String spec;
    private final String name;
    private final List<Map<String, String>> items;
    private boolean dates;

    private Range(String spec, String name, long count, LongFunction<String> value) {
        if (count > MAX_ITEMS) {
            throw bad(spec, "the range has " + count + " items; at most " + MAX_ITEMS + " are allowed");
        }
        this.spec = spec;
        this.name = name;
        int size = (int) count;
        this.items = new AbstractList<>() {
            @Override
            public Map<String, String> get(int index) {
                return Map.of(name, value.apply(index));
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** Reads {@code NAME=FROM..TO[:STEP]}, e.g. {@code day=2024-01-01..2024-01-31} or {@code n=1..100:10}. */
    public static Range parse(String spec) {
        Matcher m = SPEC.matcher(spec.trim());
        if (!m.matches()) {
            throw bad(spec, "expected name=FROM..TO or name=FROM..TO:STEP, e.g. day=2024-01-01..2024-01-31 or n=1..100:10");
        }
        String name = m.group(1);
        String from = m.group(2).trim();
        String to = m.group(3).trim();
        long step;
        try {
            step = m.group(4) == null ? 1 : Long.parseLong(m.group(4).trim());
        } catch (NumberFormatException e) {
            throw bad(spec, "STEP '" + m.group(4) + "' is not a whole number");
        }
        LocalDate fromDate = date(spec, from);
        LocalDate toDate = date(spec, to);
        if (fromDate != null && toDate != null) {
            return dates(spec, name, fromDate, toDate, step);
        }
        Long fromInt = integer(from);
        Long toInt = integer(to);
        if (fromInt == null || toInt == null) {
            throw bad(spec, "FROM and TO must both be ISO dates (2024-01-31) or both integers, got '" + from + "' and '" + to + "'");
        }
        return integers(spec, name, fromInt, toInt, step);
    }

    /** Every {@code step} days from {@code from} to {@code to}, both included. */
    public static Range dates(String name, LocalDate from, LocalDate to, long step) {
        return dates(spec(name, from, to, step), checkedName(name, from, to, step), from, to, step);
    }

    /** Every {@code step}-th integer from {@code from} to {@code to}, both included. */
    public static Range integers(String name, long from, long to, long step) {
        return integers(spec(name, from, to, step), checkedName(name, from, to, step), from, to, step);
    }

    private static Range dates(String spec, String name, LocalDate from, LocalDate to, long step) {
        checkStep(spec, step);
        if (to.isBefore(from)) {
            throw bad(spec, "FROM " + from + " is after TO " + to);
        }
        long days = to.toEpochDay() - from.toEpochDay();
        Range range = new Range(spec, name, count(days, step), i -> from.plusDays(i * step).toString());
        range.dates = true;
        return range;
    }

    private static Range integers(String spec, String name, long from, long to, long step) {
        checkStep(spec, step);
        if (to < from) {
            throw bad(spec, "FROM " + from + " is greater than TO " + to);
        }
        long span;
        try {
            span = Math.subtractExact(to, from);
        } catch (ArithmeticException e) {
            throw bad(spec, "the range is too large");
        }
        return new Range(spec, name, count(span, step), i -> Long.toString(from + i * step));
    }

    /** The text of the range, as given to {@link #parse} or as {@code parse} would read it. */
    public String spec() {
        return spec;
    }

    /** Whether its values are ISO dates (else integers). */
    public boolean dates() {
        return dates;
    }

    /** The one parameter every item gives. */
    public String name() {
        return name;
    }

    /** The items, computed as they are asked for. */
    public List<Map<String, String>> items() {
        return items;
    }

    private static long count(long span, long step) {
        long steps = span / step;
        return steps == Long.MAX_VALUE ? steps : steps + 1;
    }

    private static void checkStep(String spec, long step) {
        if (step < 1) {
            throw bad(spec, "STEP must be 1 or more, got " + step);
        }
    }

    private static String spec(String name, Object from, Object to, long step) {
        return name + "=" + from + ".." + to + (step == 1 ? "" : ":" + step);
    }

    private static String checkedName(String name, Object from, Object to, long step) {
        if (name == null || !name.matches(NAME)) {
            throw bad(spec(name, from, to, step), "the name must start with a letter or _ and hold only letters, digits, _ . -");
        }
        return name;
    }

    /** {@code s} as a date; null when it is not written as one; a usage error naming the problem when it is written as a date that does not exist. */
    private static LocalDate date(String spec, String s) {
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            if (ISO_DATE_SHAPE.matcher(s).matches()) {
                throw bad(spec, notADate(s));
            }
            return null;
        }
    }

    /**
     * Why {@code yyyy-MM-dd} text is no date, e.g. "2024-02-30 is not a date (February has 28 or 29 days)": the calendar
     * rule it breaks, rather than the parser's "Invalid date 'FEBRUARY 30'".
     */
    static String notADate(String s) {
        Matcher m = ISO_DATE_SHAPE.matcher(s);
        if (!m.matches()) {
            return "'" + s + "' is not an ISO date (yyyy-MM-dd)";
        }
        int year = Integer.parseInt(m.group(1));
        int month = Integer.parseInt(m.group(2));
        int day = Integer.parseInt(m.group(3));
        if (month < 1 || month > 12) {
            return s + " is not a date (months are 01 to 12)";
        }
        java.time.Month named = java.time.Month.of(month);
        String monthName = named.getDisplayName(java.time.format.TextStyle.FULL, java.util.Locale.ENGLISH);
        if (day < 1) {
            return s + " is not a date (days start at 01)";
        }
        if (named == java.time.Month.FEBRUARY) {
            return day == 29
                    ? s + " is not a date (" + year + " is not a leap year: February has 28 days)"
                    : s + " is not a date (February has 28 or 29 days)";
        }
        return s + " is not a date (" + monthName + " has " + named.maxLength() + " days)";
    }

    private static Long integer(String s) {
        try {
            return Long.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static BadInputException bad(String spec, String why) {
        return new BadInputException("--range '" + spec + "': " + why);
    }
}
