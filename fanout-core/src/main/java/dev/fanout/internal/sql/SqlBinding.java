package dev.fanout.internal.sql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.ParameterizedQuery;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.parser.NamedParameterContext;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.trees.TreePattern;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.DataTypes;

/**
 * What fanout's SQL support calls on a session: {@link #prepare} a run's session before its statements,
 * {@link #bindingMode} to say which binding is in effect, and {@link #withBindingExtensionLast} for whoever builds
 * the session (fanout's session builder, the command line).
 *
 * <p>The mode is found by a probe, not by the parser's class: {@code SELECT :p} is parsed with a value, under the
 * session's conf with the legacy flag off, and the parse tree is checked for a marker left unbound. Parsing starts no
 * job and changes nothing. So a notebook's session built elsewhere, an extension listed after fanout's (whose parser
 * then wraps fanout's), or a future Delta that binds by itself are each seen for what they do.
 */
public final class SqlBinding {
    /** {@code spark.sql.extensions}: static, read when a session is created from the SparkContext's conf. */
    public static final String EXTENSIONS = "spark.sql.extensions";
    static final String LEGACY_FLAG = SQLConf.LEGACY_PARAMETER_SUBSTITUTION_CONSTANTS_ONLY().key();
    static final String VARIABLE_SUBSTITUTE = SQLConf.VARIABLE_SUBSTITUTE_ENABLED().key();
    private static final String PROBE_NAME = "fanout_probe";

    private SqlBinding() {}

    /**
     * Readies a run's own session for parameterized SQL and returns how it binds: turns {@code ${...}} substitution
     * off ({@code spark.sql.variable.substitute=false}: it splices conf values, environment variables and system
     * properties into the text, and blanks unknown names); and where no parser binds markers (a session built without
     * fanout's extension last, with Delta's parser outermost), turns on Spark's analyzer binding (the internal
     * {@code spark.sql.legacy.parameterSubstitution.constantsOnly}), which covers fewer statements:
     * {@link BindingMode#LEGACY_ANALYZER}. Both are per-session settings: call it on the run's {@code newSession()},
     * never on a session others use.
     */
    public static BindingMode prepare(SparkSession runSession) {
        runSession.conf().set(VARIABLE_SUBSTITUTE, "false");
        BindingMode mode = bindingMode(runSession);
        if (mode == BindingMode.UNBOUND) {
            runSession.conf().set(LEGACY_FLAG, "true");
            mode = BindingMode.LEGACY_ANALYZER;
        }
        return mode;
    }

    /** How {@code session} binds markers now (see {@link BindingMode}). */
    public static BindingMode bindingMode(SparkSession session) {
        SQLConf conf = session.sessionState().conf();
        if (conf.legacyParameterSubstitutionConstantsOnly()) {
            return BindingMode.LEGACY_ANALYZER;
        }
        ParserInterface parser = session.sessionState().sqlParser();
        if (!parserBinds(parser, conf)) {
            return BindingMode.UNBOUND;
        }
        return parser instanceof BindingParser ? BindingMode.FANOUT_PARSER : BindingMode.SPARK_PARSER;
    }

    /**
     * The {@code spark.sql.extensions} list {@code given} (comma-separated, may be null or blank) with fanout's
     * extension moved to the end, so that its parser wraps every other one.
     */
    public static String withBindingExtensionLast(String given) {
        String ours = FanoutSqlExtension.class.getName();
        List<String> names = new ArrayList<>();
        if (given != null) {
            Arrays.stream(given.split(",")).map(String::trim).filter(n -> !n.isEmpty() && !n.equals(ours))
                    .forEach(names::add);
        }
        names.add(ours);
        return String.join(",", names);
    }

    private static boolean parserBinds(ParserInterface parser, SQLConf conf) {
        SQLConf modern = conf.clone();
        modern.setConfString(LEGACY_FLAG, "false");
        scala.collection.immutable.Map<String, Expression> values = scala.collection.immutable.Map$.MODULE$
                .<String, Expression>empty().updated(PROBE_NAME, Literal.create(1, DataTypes.IntegerType));
        String probe = "SELECT :" + PROBE_NAME;
        LogicalPlan plan = SQLConf.withExistingConf(modern, () -> {
            try {
                return parser.parsePlanWithParameters(probe, new NamedParameterContext(values));
            } catch (org.apache.spark.sql.catalyst.parser.ParseException e) {
                throw new IllegalStateException("the session's SQL parser (" + parser.getClass().getName()
                        + ") cannot parse '" + probe + "'", e);
            }
        });
        // a parser that hands the values to the analyzer (as apache/spark PR #58932 proposes) counts as not binding:
        // prepare() then turns on the analyzer binding itself, which covers the same statements
        return !(plan instanceof ParameterizedQuery) && !plan.containsPattern(TreePattern.PARAMETER());
    }
}
