package dev.fanout.cli.option;

import dev.fanout.BadInputException;
import dev.fanout.Redaction;
import dev.fanout.history.BatchSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Option;

/** Where and how Spark runs: shared by every command that starts Spark. */
public final class SparkOptions {
    @Option(names = "--master", paramLabel = "URL", defaultValue = "${sys:spark.master:-local[*]}",
            description = "Spark master (default: spark-submit's --master when launched by spark-submit, else local[*]:"
                    + " Spark embedded in this process).")
    public String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", mapFallbackValue = Option.NULL_VALUE,
            description = "A Spark setting, e.g. --conf spark.executor.memory=4g (repeatable).")
    public Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--jars", paramLabel = "PATHS", split = ",",
            description = "Comma-separated jars holding the job and its dependencies; also shipped to the executors.")
    public List<Path> jars = new ArrayList<>();

    @Option(names = "--verbose", description = "Show Spark's INFO logging and stack traces.")
    public boolean verbose;

    /** {@code defaults}, then the user's {@code --conf} settings, and {@code --jars} added to {@code spark.jars}. */
    public Map<String, String> sparkConf(Map<String, String> defaults) {
        Map<String, String> out = new LinkedHashMap<>(defaults);
        out.putAll(conf);
        if (!jars.isEmpty()) {
            out.merge("spark.jars", jars.stream().map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(",")),
                    (mine, theirs) -> mine + "," + theirs);
        }
        return out;
    }

    /** How the batch's Spark is started, as the history records it (the user's settings only). */
    public BatchSpec.Launch launch(String command) {
        return new BatchSpec.Launch(command, master, jars.stream().map(p -> p.toAbsolutePath().toString()).toList(), conf);
    }

    /**
     * For a resume: the batch's recorded master and jars unless given again; its Spark settings with those given now on
     * top. A setting that was masked as a secret in the history must be given again.
     */
    public void over(BatchSpec.Launch recorded, String batchId, ParseResult given) {
        if (recorded == null) {
            return;
        }
        Map<String, String> merged = new LinkedHashMap<>(recorded.conf());
        merged.putAll(conf);
        merged.forEach((k, v) -> {
            if (Redaction.MASK.equals(v)) {
                throw new BadInputException("Spark setting '" + k + "' of batch " + batchId
                        + " is a secret and was not recorded; give it again: --conf " + k + "=VALUE");
            }
        });
        conf = merged;
        if (!given.hasMatchedOption("--master") && recorded.master() != null) {
            master = recorded.master();
        }
        if (!given.hasMatchedOption("--jars")) {
            jars = recorded.jars().stream().map(Path::of).toList();
        }
    }
}
