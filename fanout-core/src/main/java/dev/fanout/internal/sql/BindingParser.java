package dev.fanout.internal.sql;

import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.parser.ParameterContext;
import org.apache.spark.sql.catalyst.parser.ParameterHandler;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.parser.PositionMapper;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.trees.CurrentOrigin;
import org.apache.spark.sql.catalyst.trees.Origin;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.internal.VariableSubstitution;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.Seq;

/**
 * The outermost SQL parser of a session: binds {@code :name} and {@code ?} markers exactly as Spark's own
 * {@code SparkSqlParser} does, then lets the parser it wraps (Delta's, which wraps Spark's) parse the bound text.
 *
 * <p><b>Why.</b> Since Spark 4.1, {@code spark.sql(text, args)} binds markers in the parser, through
 * {@link ParserInterface#parsePlanWithParameters}. Only {@code SparkSqlParser} implements it; the interface's default
 * drops the values and calls {@code parsePlan}. Delta's {@code DeltaSqlParser} (delta-spark 4.4.0) wraps Spark's
 * parser and does not override the method, so with Delta's extension every parameterized statement fails with
 * {@code UNBOUND_SQL_PARAMETER} (delta-io/delta#7640; apache/spark PR #58932, SPARK-59672, both open).
 *
 * <p><b>How</b>, step for step what {@code SparkSqlParser.parseInternal} does in Spark 4.2.0 (its sources):
 * <ol>
 *   <li>the legacy flag {@code spark.sql.legacy.parameterSubstitution.constantsOnly} on: nothing to do here (the
 *       analyzer binds), the wrapped parser gets the call unchanged;</li>
 *   <li>{@code ${...}} variable substitution on the text as written (when {@code spark.sql.variable.substitute} is
 *       on), never on a value;</li>
 *   <li>{@link ParameterHandler#substituteParameters}: Spark's pre-parser finds the markers with a full parse of
 *       Spark's grammar (so markers inside strings and comments stay), renders each value with {@code Literal.sql}
 *       and splices it in; a marker without a value fails there with {@code UNBOUND_SQL_PARAMETER};</li>
 *   <li>the bound text goes to the wrapped parser's {@code parsePlan}, with the origin Spark sets (bound text and its
 *       position map, so errors point into the text as written) and, if variable substitution is on, with it turned
 *       off for this thread only ({@link SQLConf#withExistingConf} on a copy), so that no parser down the chain
 *       expands a {@code ${...}} that came from a value.</li>
 * </ol>
 * A script ({@code BEGIN ... END}) is bound as a whole, as Spark does; {@code EXECUTE IMMEDIATE ... USING} comes back
 * here from the analyzer with its own values. Text that Spark's grammar cannot parse (a statement only the wrapped
 * parser knows, such as Delta's {@code OPTIMIZE}) is passed on unchanged, values dropped: its markers stay unbound.
 * Every other method delegates unchanged.
 */
final class BindingParser implements ParserInterface {
    private final ParserInterface delegate;
    private final VariableSubstitution variables = new VariableSubstitution();

    BindingParser(ParserInterface delegate) {
        this.delegate = delegate;
    }

    @Override
    public LogicalPlan parsePlanWithParameters(String sqlText, ParameterContext context) throws ParseException {
        SQLConf conf = SQLConf.get();
        if (conf.legacyParameterSubstitutionConstantsOnly()) {
            return delegate.parsePlanWithParameters(sqlText, context);
        }
        String expanded = variables.substitute(sqlText);
        Tuple2<String, PositionMapper> bound;
        try {
            bound = ParameterHandler.substituteParameters(expanded, context);
        } catch (Exception e) { // Scala code: Java does not see that it throws ParseException
            if (e instanceof ParseException) {
                // Not Spark SQL: a statement of the wrapped parser's own grammar, or a syntax error it reports itself.
                return delegate.parsePlanWithParameters(sqlText, context);
            }
            throw e;
        }
        String text = bound._1();
        if (text.equals(expanded)) {
            return delegate.parsePlan(sqlText); // nothing bound: parsed exactly as without this parser
        }
        Origin current = CurrentOrigin.get();
        Origin origin = new Origin(current.line(), current.startPosition(), Option.apply((Object) 0),
                Option.apply((Object) (text.length() - 1)), Option.apply(text), current.objectType(),
                current.objectName(), current.stackTrace(), current.pysparkErrorContext(), Option.apply(bound._2()));
        scala.Function0<LogicalPlan> parse = () -> CurrentOrigin.withOrigin(origin, () -> parseThrowing(text));
        if (!conf.variableSubstituteEnabled()) {
            return parse.apply();
        }
        SQLConf noVariables = conf.clone();
        noVariables.setConfString(SQLConf.VARIABLE_SUBSTITUTE_ENABLED().key(), "false");
        return SQLConf.withExistingConf(noVariables, parse);
    }

    /** {@code delegate.parsePlan} inside a Scala function, which cannot declare the checked ParseException. */
    private LogicalPlan parseThrowing(String text) {
        try {
            return delegate.parsePlan(text);
        } catch (ParseException e) {
            throw BindingParser.<RuntimeException>rethrow(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E rethrow(Throwable t) throws E {
        throw (E) t;
    }

    @Override
    public LogicalPlan parsePlan(String sqlText) throws ParseException {
        return delegate.parsePlan(sqlText);
    }

    @Override
    public Expression parseExpression(String sqlText) throws ParseException {
        return delegate.parseExpression(sqlText);
    }

    @Override
    public TableIdentifier parseTableIdentifier(String sqlText) throws ParseException {
        return delegate.parseTableIdentifier(sqlText);
    }

    @Override
    public FunctionIdentifier parseFunctionIdentifier(String sqlText) throws ParseException {
        return delegate.parseFunctionIdentifier(sqlText);
    }

    @Override
    public Seq<String> parseMultipartIdentifier(String sqlText) throws ParseException {
        return delegate.parseMultipartIdentifier(sqlText);
    }

    @Override
    public LogicalPlan parseQuery(String sqlText) throws ParseException {
        return delegate.parseQuery(sqlText);
    }

    @Override
    public StructType parseRoutineParam(String sqlText) throws ParseException {
        return delegate.parseRoutineParam(sqlText);
    }

    @Override
    public StructType parseTableSchema(String sqlText) throws ParseException {
        return delegate.parseTableSchema(sqlText);
    }

    @Override
    public DataType parseDataType(String sqlText) throws ParseException {
        return delegate.parseDataType(sqlText);
    }
}
