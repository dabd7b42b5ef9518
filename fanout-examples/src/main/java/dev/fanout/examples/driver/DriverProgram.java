package dev.fanout.examples.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.BatchResult;
import dev.fanout.Fanout;
import dev.fanout.Items;
import dev.fanout.Outcome;
import dev.fanout.Parallelism;
import dev.fanout.RetryPolicy;
import dev.fanout.RunResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;

/**
 * fanout from a driver program, as a notebook on a long-running cluster uses it: a plain {@code SparkSession} that
 * fanout did not build, executors that registered before fanout existed, and only the public API.
 *
 * <pre>
 * java ... dev.fanout.examples.driver.DriverProgram MASTER WORK_DIR
 * </pre>
 *
 * Runs {@link ProbeJob} for n = 1..6 with {@code Parallelism.auto()}, items 2 and 5 failing; resumes the batch after the
 * failures are fixed; writes the HTML report; prints one JSON document with what it saw on stdout.
 */
public final class DriverProgram {
    private DriverProgram() {}

    public static void main(String[] args) throws Exception {
        String master = args[0];
        Path work = Path.of(args[1]);
        Path failDir = Files.createDirectories(work.resolve("fail"));
        Files.writeString(failDir.resolve("fail-2"), "");
        Files.writeString(failDir.resolve("fail-5"), "");
        SparkSession spark = SparkSession.builder().master(master).appName("fanout driver program")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        try {
            // Wait until both executors have registered (the seed's own formula: one entry per executor + the driver),
            // and only then build fanout.
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (spark.sparkContext().getExecutorMemoryStatus().size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            int executors = spark.sparkContext().getExecutorMemoryStatus().size() - 1;
            if (executors < 2) {
                System.err.println("DriverProgram: only " + executors + " executor(s) registered within 120 s");
                System.exit(3);
            }
            out.put("executors", executors);

            Fanout fanout = Fanout.builder(spark)
                    .parallelism(Parallelism.auto())
                    .history(work.resolve("history.db"))
                    .timeout(Duration.ofMinutes(2)).retry(RetryPolicy.none())
                    .secrets(Pattern.compile("(?i)token"))
                    .build();
            out.put("parallelism", fanout.parallelism().explain(spark.sparkContext()));
            ProbeJob job = new ProbeJob();
            BatchResult first = fanout.forEach(job, Items.withConstants(Items.range("n", 1, 6),
                    Map.of("failDir", failDir.toString(), "api_token", "tok-12345678")));
            out.put("maxInFlight", ProbeJob.MAX_IN_FLIGHT.get());
            out.put("batchId", first.batchId());
            out.put("firstParallelism", first.parallelism());
            out.set("firstFailed", json.valueToTree(first.runs().stream().filter(r -> r.outcome() == Outcome.FAILED)
                    .map(r -> r.params().get("n")).toList()));

            Files.delete(failDir.resolve("fail-2"));
            Files.delete(failDir.resolve("fail-5"));
            ProbeJob.RUNS.clear();
            // The token is a secret: masked in the history, so a resume is given it again.
            BatchResult again = fanout.resume(job, first.batchId(), Map.of("api_token", "tok-12345678"));
            out.put("resumedBatchId", again.batchId());
            out.set("resumed", json.valueToTree(again.runs().stream().map(RunResult::index).toList()));
            out.set("resumedOutcomes", json.valueToTree(again.runs().stream().map(r -> r.outcome().name()).toList()));
            out.set("rerun", json.valueToTree(ProbeJob.RUNS.keySet().stream().sorted().toList()));

            Path report = work.resolve("report.html");
            fanout.report(first.batchId(), report);
            out.put("report", report.toString());
            System.out.println(json.writeValueAsString(out));
        } finally {
            spark.stop();
        }
    }
}
