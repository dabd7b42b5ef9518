/**
 * SQL for fanout's runs. Parameter binding: {@link dev.fanout.internal.sql.FanoutSqlExtension}, registered last in
 * {@code spark.sql.extensions}, wraps the session's parser (Delta's, which drops the values of
 * {@code spark.sql(text, args)} since Spark 4.1) in a {@link dev.fanout.internal.sql.BindingParser} that binds
 * {@code :name} markers with Spark's own substitution, so parameterized SQL works as on plain Spark;
 * {@link dev.fanout.internal.sql.SqlBinding#prepare} readies a run's session (no {@code ${...}} substitution, and
 * Spark's analyzer binding where no parser binds) and reports the {@link dev.fanout.internal.sql.BindingMode}.
 */
package dev.fanout.internal.sql;
