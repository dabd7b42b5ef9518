package dev.fanout.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where and how Spark runs: shared by every command that starts Spark. */
public final class SparkOptions {
    @Option(names = "--master", paramLabel = "URL", defaultValue = "${sys:spark.master:-local[*]}",
            description = "Spark master (default: spark-submit's --master when launched by spark-submit, else local[*]:"
                    + " Spark embedded in this process).")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", mapFallbackValue = Option.NULL_VALUE,
            description = "A Spark setting, e.g. --conf spark.executor.memory=4g (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--jars", paramLabel = "PATHS", split = ",",
            description = "Comma-separated jars holding the job and its dependencies; also shipped to the executors.")
    List<Path> jars = new ArrayList<>();

    @Option(names = "--verbose", description = "Show Spark's INFO logging and stack traces.")
    boolean verbose;
}
