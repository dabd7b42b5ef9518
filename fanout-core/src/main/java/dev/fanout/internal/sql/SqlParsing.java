package dev.fanout.internal.sql;

import dev.fanout.BadInputException;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.SparkSession;

/**
 * The syntax check before a batch: each statement through the session's own parser ({@code parsePlan}, which leaves
 * {@code :name} markers unbound, so no values are needed and nothing runs). The session's parser is the one the runs
 * use, Delta's extension included.
 */
final class SqlParsing {
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
                String message = String.valueOf(e.getMessage());
                String first = message.lines().findFirst().orElse(message).strip();
                StringBuilder m = new StringBuilder(s.where(source.fileName())).append(" does not parse: ").append(first);
                if (e instanceof SparkThrowable t && t.getSqlState() != null && !first.contains(t.getSqlState())) {
                    m.append(" SQLSTATE: ").append(t.getSqlState());
                }
                throw new BadInputException(m.toString());
            }
        }
    }
}
