package dev.fanout;

/**
 * A Spark job that fanout runs once per parameter set.
 *
 * <p>Keep it simple: it handles one parameter set ("the metrics for one day") and fanout runs it
 * many times in parallel on one Spark application.
 *
 * <pre>{@code
 * public final class DailyCount implements SparkJob {
 *     public String run(JobContext ctx) {
 *         LocalDate day = ctx.get("day", ParamType.DATE);
 *         long n = ctx.spark().table("events").where(col("day").equalTo(day.toString())).count();
 *         return Long.toString(n);
 *     }
 * }
 * }</pre>
 *
 * <p>A class run from the command line needs a public no-argument constructor.
 */
@FunctionalInterface
public interface SparkJob {
    /** Runs once for one parameter set; the return value is the run's exit value (may be null). */
    String run(JobContext context) throws Exception;

    /**
     * Checks, before any run of a batch starts, what can be checked up front, and throws a {@link BadInputException}
     * naming the problem: then nothing runs. {@code items} are the batch's items (every one, when the batch reads
     * them before it starts: with a history, a list, a range or {@link Items} from a file; empty for a one-pass
     * iterable without a history); {@code spark} is the session the batch runs on. The default checks nothing. A SQL
     * job ({@link Jobs#sql}) checks that every statement parses and every parameter has a value in every item.
     */
    default void check(java.util.List<? extends java.util.Map<String, String>> items,
                       org.apache.spark.sql.SparkSession spark) {
    }

    /** The name shown in job descriptions, the Spark UI and reports; the simple class name by default. */
    default String name() {
        String simple = getClass().getSimpleName();
        int lambda = simple.indexOf("$$Lambda");
        return lambda > 0 ? simple.substring(0, lambda) : simple;
    }
}
