package dev.fanout.cli.items;

import dev.fanout.BadInputException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --range name=FROM..TO[:STEP]}: inclusive, ISO dates (step in days) or integers, generated lazily.
 */
public final class RangeSpec {
    /** A range beyond this many items is almost surely a typo. */
    public static final long MAX_ITEMS = 10_000_000;
    private static final Pattern SPEC = Pattern.compile("([A-Za-z_][A-Za-z0-9_.-]*)=([^.:]+)\\.\\.([^:]+)(?::(.+))?");

    private RangeSpec() {}

    /** The items of the range, as a lazily computed list. */
    public static List<Map<String, String>> parse(String spec) {
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
        if (step < 1) {
            throw bad(spec, "STEP must be 1 or more, got " + step);
        }
        LocalDate fromDate = date(from);
        LocalDate toDate = date(to);
        if (fromDate != null && toDate != null) {
            if (toDate.isBefore(fromDate)) {
                throw bad(spec, "FROM " + from + " is after TO " + to);
            }
            long days = toDate.toEpochDay() - fromDate.toEpochDay();
            return lazy(name, days / step + 1, i -> fromDate.plusDays(i * step).toString(), spec);
        }
        Long fromInt = integer(from);
        Long toInt = integer(to);
        if (fromInt == null || toInt == null) {
            throw bad(spec, "FROM and TO must both be ISO dates (2024-01-31) or both integers, got '" + from + "' and '" + to + "'");
        }
        if (toInt < fromInt) {
            throw bad(spec, "FROM " + from + " is greater than TO " + to);
        }
        long span;
        try {
            span = Math.subtractExact(toInt, fromInt);
        } catch (ArithmeticException e) {
            throw bad(spec, "the range is too large");
        }
        return lazy(name, span / step + 1, i -> Long.toString(fromInt + i * step), spec);
    }

    private interface Value {
        String at(long i);
    }

    private static List<Map<String, String>> lazy(String name, long count, Value value, String spec) {
        if (count > MAX_ITEMS) {
            throw bad(spec, "the range has " + count + " items; at most " + MAX_ITEMS + " are allowed");
        }
        int size = (int) count;
        return new AbstractList<>() {
            @Override
            public Map<String, String> get(int index) {
                return Map.of(name, value.at(index));
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    private static LocalDate date(String s) {
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
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
