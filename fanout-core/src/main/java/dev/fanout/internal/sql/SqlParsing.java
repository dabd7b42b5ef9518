package dev.fanout.internal.sql;

import dev.fanout.BadInputException;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.SparkSession;

/**
 * The syntax check before a batch: each statement through the session's own parser ({@code parsePlan}, which leaves
 * {@code :name} markers unbound, so no values are needed and nothing runs). The session's parser is the one the runs
 * use, Delta's extension included. One refusal is Spark's, not the user's: without values, Spark's parser refuses
 * markers in statements it binds at parse time only ({@code CREATE VIEW … AS SELECT … :day}, {@code DECLARE … DEFAULT
 * :x}: {@code UNSUPPORTED_FEATURE.PARAMETER_MARKER_IN_UNEXPECTED_STATEMENT}; {@code IDENTIFIER('a' :x 'b')}:
 * {@code UNEXPECTED_USE_OF_PARAMETER_MARKER}); a statement with markers passes the check
 * with that condition, and its run binds them.
 */
final class SqlParsing {
    private static final java.util.Set<String> UNBOUND_HERE = java.util.Set.of(
            "UNSUPPORTED_FEATURE.PARAMETER_MARKER_IN_UNEXPECTED_STATEMENT", "UNEXPECTED_USE_OF_PARAMETER_MARKER");

    private SqlParsing() {}

    static void check(SqlSource source, SparkSession spark) {
        if (!(spark instanceof org.apache.spark.sql.classic.SparkSession classic)) {
            throw new BadInputException("SQL file '" + source.fileName() + "' needs a classic Spark session (not Spark"
                    + " Connect) to be checked and run; got " + spark.getClass().getName());
        }
        var parser = classic.sessionState().sqlParser();
        for (SqlStatement s : source.runnable()) {
            try {
                parser.parsePlan(s.text());
            } catch (Exception e) { // ParseException, AnalysisException (declared checked for Java)
                if (!s.markers().isEmpty() && e instanceof SparkThrowable t
                        && UNBOUND_HERE.contains(t.getCondition())) {
                    continue;
                }
                String first = SqlJob.firstLine(e);
                StringBuilder m = new StringBuilder(s.where(source.fileName())).append(" does not parse: ").append(first);
                if (e instanceof SparkThrowable t && t.getSqlState() != null && !first.contains(t.getSqlState())) {
                    m.append(" SQLSTATE: ").append(t.getSqlState());
                }
                throw new BadInputException(m.toString());
            }
        }
    }
}
