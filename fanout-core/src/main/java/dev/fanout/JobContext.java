package dev.fanout;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * What one run of a {@link SparkJob} sees: its own Spark session, its parameters and its identity.
 *
 * <p>Parameters are strings; the typed accessors parse and validate them and raise a
 * {@link BadParameterException} (never retried) that names the parameter and the offending value:
 *
 * <pre>{@code
 * LocalDate day   = ctx.get("day", ParamType.DATE);               // required
 * int limit       = ctx.get("limit", ParamType.INT, 100);          // default when absent
 * Optional<Mode> m = ctx.find("mode", ParamType.enumOf(Mode.class)); // optional
 * }</pre>
 */
public interface JobContext {
    /** This run's own session ({@code newSession()} of the shared one): temp views, SQL conf and UDFs are private to the run. */
    SparkSession spark();

    /** This run's parameters, immutable. */
    Map<String, String> params();

    /** Identifies the run within its batch; the same for every attempt of the run. */
    String runId();

    /** The attempt number, 1-based. */
    int attempt();

    /**
     * The type the batch declares for parameter {@code name}: {@link ParamType#DATE} or {@link ParamType#LONG} for a
     * range's parameter ({@link Items#types()}); empty when the batch declares none (values from files and
     * constants are strings).
     */
    default Optional<ParamType<?>> declaredType(String name) {
        return Optional.empty();
    }

    /** A required string parameter. */
    default String get(String name) {
        return get(name, ParamType.STRING);
    }

    /** A required parameter of the given type. */
    default <T> T get(String name, ParamType<T> type) {
        return find(name, type).orElseThrow(() -> BadParameterException.missing(name, params().keySet()));
    }

    /** A parameter of the given type, or {@code defaultValue} when it is absent. */
    default <T> T get(String name, ParamType<T> type, T defaultValue) {
        return find(name, type).orElse(defaultValue);
    }

    /** An optional parameter of the given type; empty when absent, an error when present but malformed. */
    default <T> Optional<T> find(String name, ParamType<T> type) {
        String raw = params().get(name);
        return raw == null ? Optional.empty() : Optional.of(type.parse(name, raw));
    }
}
