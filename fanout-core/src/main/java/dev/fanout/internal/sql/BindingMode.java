package dev.fanout.internal.sql;

/** How a session binds the {@code :name} markers of {@code spark.sql(text, args)}: see {@link SqlBinding#bindingMode}. */
public enum BindingMode {
    /** Spark's own parser binds them (no injected parser, or one that passes the values on): all of Spark's cases. */
    SPARK_PARSER,
    /** fanout's parser, outermost, binds them with Spark's own substitution ({@link BindingParser}): all of Spark's cases. */
    FANOUT_PARSER,
    /**
     * The analyzer binds them ({@code spark.sql.legacy.parameterSubstitution.constantsOnly=true}): literals in queries
     * and DML, {@code LIMIT}, {@code IDENTIFIER(:t)} work; markers in {@code CREATE VIEW}, {@code DECLARE ... DEFAULT},
     * {@code BEGIN ... END} scripts, {@code PARTITION (p = :x)}, {@code LOCATION}/{@code TBLPROPERTIES} fail.
     */
    LEGACY_ANALYZER,
    /** Nothing binds them (an injected parser drops the values): every statement with a marker fails. */
    UNBOUND
}
