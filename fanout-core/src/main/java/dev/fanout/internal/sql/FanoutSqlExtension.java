package dev.fanout.internal.sql;

import org.apache.spark.sql.SparkSessionExtensions;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * The session extension that puts a {@link BindingParser} around the session's parser. Spark instantiates it by name
 * from {@code spark.sql.extensions} and folds injected parsers in list order, each wrapping the one before; so it must
 * be the <em>last</em> entry there, after Delta's ({@link SqlBinding#withBindingExtensionLast} builds the list).
 * Registered by {@code Builder.withExtensions} or a {@code ServiceLoader} it would come before the listed extensions
 * and end up inside Delta's parser, where it never sees the values.
 */
public final class FanoutSqlExtension extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
    public FanoutSqlExtension() {
        // Spark calls the public no-argument constructor
    }

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        extensions.injectParser((session, delegate) -> new BindingParser(delegate));
        return BoxedUnit.UNIT;
    }
}
