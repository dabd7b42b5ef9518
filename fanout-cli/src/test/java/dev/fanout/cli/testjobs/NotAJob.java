package dev.fanout.cli.testjobs;

/** A class that is not a SparkJob. */
public final class NotAJob {}
