package dev.fanout;

import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;

/**
 * How to read one parameter: a description for error messages and a parser.
 *
 * @param <T> the parsed type
 */
public final class ParamType<T> {
    public static final ParamType<String> STRING = new ParamType<>("a string", s -> s);
    public static final ParamType<Integer> INT = new ParamType<>("an integer", s -> Integer.valueOf(s.trim()));
    public static final ParamType<Long> LONG = new ParamType<>("an integer", s -> Long.valueOf(s.trim()));
    public static final ParamType<Double> DOUBLE = new ParamType<>("a finite number", ParamType::finiteDouble);
    public static final ParamType<Boolean> BOOLEAN = new ParamType<>("true or false", ParamType::strictBoolean);
    public static final ParamType<LocalDate> DATE = new ParamType<>("an ISO date (yyyy-MM-dd)", s -> LocalDate.parse(s.trim()));
    public static final ParamType<Duration> DURATION = new ParamType<>("a duration (90s, 10m, 2h, PT5M)", DurationFormat::parse);

    private final String description;
    private final Function<String, T> parser;

    private ParamType(String description, Function<String, T> parser) {
        this.description = description;
        this.parser = parser;
    }

    /** A custom type; {@code description} completes "parameter 'x' must be ...". */
    public static <T> ParamType<T> of(String description, Function<String, T> parser) {
        return new ParamType<>(description, parser);
    }

    /** One of the constants of {@code type}, matched without regard to case. */
    public static <E extends Enum<E>> ParamType<E> enumOf(Class<E> type) {
        E[] constants = type.getEnumConstants();
        return new ParamType<>("one of " + Arrays.toString(constants), s -> {
            for (E c : constants) {
                if (c.name().equalsIgnoreCase(s.trim())) {
                    return c;
                }
            }
            throw new IllegalArgumentException(s);
        });
    }

    /** Parses {@code raw}, the value of parameter {@code name}. */
    public T parse(String name, String raw) {
        try {
            T value = parser.apply(raw);
            if (value == null) {
                throw new IllegalArgumentException(raw);
            }
            return value;
        } catch (RuntimeException e) {
            throw new BadParameterException(name, "parameter '" + name + "' must be " + description + ", got '" + raw + "'");
        }
    }

    public String description() {
        return description;
    }

    private static Double finiteDouble(String s) {
        double d = Double.parseDouble(s.trim());
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(s);
        }
        return d;
    }

    private static Boolean strictBoolean(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException(s);
        };
    }
}
