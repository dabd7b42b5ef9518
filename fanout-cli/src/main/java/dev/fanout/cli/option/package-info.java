/**
 * The options several commands share, as picocli mixins: where Spark runs ({@code SparkOptions}), how runs run and
 * what is recorded ({@code RunOptions}), how many at once ({@code SizingOptions}). Each maps itself to the library's
 * types and, for a resume, lays the options given again over what the batch recorded ({@code over(...)}).
 */
package dev.fanout.cli.option;
