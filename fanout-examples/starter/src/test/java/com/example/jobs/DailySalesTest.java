package com.example.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fanout.BatchResult;
import dev.fanout.Fanout;
import dev.fanout.Items;
import dev.fanout.Outcome;
import dev.fanout.Parallelism;
import dev.fanout.RetryPolicy;
import dev.fanout.RunFailedException;
import dev.fanout.RunResult;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job on local Spark, run by fanout as the command line would: a batch of days, checked against plain Java sums. */
class DailySalesTest {
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        // A session in FAIR mode with a pool per slot, as fanout's command line starts it; the settings for small runs.
        SparkSession.Builder builder = Fanout.sessionBuilder(2, 1).master("local[2]").appName("DailySalesTest")
                .config("spark.ui.enabled", "false");
        Fanout.smallRunConf().forEach(builder::config);
        spark = builder.getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void eachDaysCountAndTotalInOneBatch() throws IOException {
        // 5 days x 3 stores, amounts that differ per day and store; the expected totals summed here, without Spark
        List<String> lines = new ArrayList<>(List.of("day,store,amount"));
        Map<String, BigDecimal> total = new TreeMap<>();
        Map<String, Integer> count = new TreeMap<>();
        LocalDate first = LocalDate.of(2026, 1, 1);
        for (int d = 0; d < 5; d++) {
            String day = first.plusDays(d).toString();
            for (int s = 0; s <= d % 3; s++) {
                BigDecimal amount = new BigDecimal((d + 1) * 10 + s + ".25");
                lines.add(day + ",store-" + s + "," + amount);
                total.merge(day, amount, BigDecimal::add);
                count.merge(day, 1, Integer::sum);
            }
        }
        Path sales = Files.write(dir.resolve("sales.csv"), lines);

        try (Fanout fanout = Fanout.builder(spark).parallelism(Parallelism.fixed(2)).retry(RetryPolicy.retries(1)).build()) {
            BatchResult batch = fanout.forEach(new DailySales(),
                    Items.withConstants(Items.range("day", first, first.plusDays(5)), Map.of("input", sales.toString())));

            assertEquals(6, batch.runs().size());
            for (RunResult run : batch.runs()) {
                String day = run.params().get("day");
                assertEquals(Outcome.SUCCEEDED, run.outcome(), day + ": " + run.error());
                String expected = count.containsKey(day) ? count.get(day) + " " + total.get(day) : "0 0.00"; // the 6th day has no sales
                assertEquals(expected, run.exitValue(), day);
            }

            // a day that does not exist is a bad parameter: the run fails at once, without a retry
            RunFailedException bad = assertThrows(RunFailedException.class,
                    () -> fanout.run(new DailySales(), Map.of("day", "2026-02-30", "input", sales.toString())));
            assertEquals(1, bad.result().attempts().size(), bad.getMessage());
        }
    }
}
