package dev.fanout.cli.bench;

import static dev.fanout.cli.bench.Median.median;

import dev.fanout.Attempt;
import dev.fanout.ErrorInfo;
import dev.fanout.Outcome;
import dev.fanout.RunResult;
import dev.fanout.SparkMetrics;
import dev.fanout.FailurePolicy;
import dev.fanout.Parallelism;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * How fast the SQLite history is at the sizes a big batch reaches: recording N runs one transaction each
 * (as a batch does, each the moment it ends), and listing an N-run batch (the store's read, and the whole
 * {@code fanout history BATCH} command formatting it). Each round uses a fresh file; prints medians.
 */
public final class HistoryBenchmark {
    private final int runs;
    private final int rounds;
    private final PrintStream out;
    private final BiConsumer<Path, String> listCommand;

    /** @param listCommand runs {@code fanout history BATCH --history FILE} (output discarded) */
    public HistoryBenchmark(int runs, int rounds, PrintStream out, BiConsumer<Path, String> listCommand) {
        this.runs = runs;
        this.rounds = rounds;
        this.out = out;
        this.listCommand = listCommand;
    }

    public void run() throws IOException {
        out.printf("fanout history benchmark: %,d runs per batch, %d rounds after a warm-up, SQLite %s%n", runs, rounds,
                org.sqlite.SQLiteJDBCLoader.getVersion());
        double[] write = new double[rounds];
        double[] read = new double[rounds];
        double[] list = new double[rounds];
        Path dir = Files.createTempDirectory("fanout-history-bench");
        try {
            for (int r = -1; r < rounds; r++) { // round -1 warms the JIT up
                Path file = dir.resolve("round" + (r + 1) + ".db");
                String batch = "bench-" + (r + 1);
                double[] t = round(file, batch);
                if (r >= 0) {
                    write[r] = t[0];
                    read[r] = t[1];
                    list[r] = t[2];
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        out.printf("record %,d runs (one transaction each): median %6.0f ms  (%.1f us per run)  rounds %s%n", runs,
                median(write), median(write) * 1000 / runs, fmt(write));
        out.printf("read a %,d-run batch (store.items):     median %6.0f ms  rounds %s%n", runs, median(read), fmt(read));
        out.printf("fanout history BATCH (%,d lines):       median %6.0f ms  rounds %s%n", runs, median(list), fmt(list));
    }

    private double[] round(Path file, String batch) {
        List<Map<String, String>> items = new ArrayList<>(runs);
        for (int i = 0; i < runs; i++) {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("day", java.time.LocalDate.of(2020, 1, 1).plusDays(i).toString());
            p.put("warehouse", "/data/warehouse");
            items.add(p);
        }
        Instant t0 = Instant.parse("2026-11-22T00:00:00Z");
        double writeMs;
        double readMs;
        BatchSpec spec = new BatchSpec("DailyMetrics", "--range", Parallelism.fixed(8), null, 0, FailurePolicy.CONTINUE, null,
                Map.of("warehouse", "/data/warehouse"), null);
        try (HistoryStore store = HistoryStore.sqlite(file)) {
            store.createBatch(batch, "DailyMetrics", spec, items, t0);
            int seq = store.startExecution(batch, spec, 8, 8, t0);
            List<RunResult> results = new ArrayList<>(runs);
            for (int i = 0; i < runs; i++) {
                boolean failed = i % 50 == 7;
                Instant s = t0.plusMillis(i * 100L);
                ErrorInfo e = failed ? new ErrorInfo("java.io.IOException", "disk quota exceeded on day " + i,
                        "java.io.IOException: disk quota exceeded\n\tat com.example.Job.run(Job.java:42)\n") : null;
                Outcome o = failed ? Outcome.FAILED : Outcome.SUCCEEDED;
                Attempt a = new Attempt(1, "fanout-bench-" + i + "-a1", i % 8, s, s.plusMillis(1800), o, e,
                        new SparkMetrics(3, 5, 40, 5200, 4_100_000_000L, 52_000_000, 900_000, 1_200_000, 1_200_000, 0));
                results.add(new RunResult(i, batch + "-" + i, items.get(i), o, failed ? null : "{\"day\":\"x\",\"rows\":412}",
                        List.of(a), s, s.plusMillis(1800), e));
            }
            long w0 = System.nanoTime();
            for (RunResult r : results) {
                store.recordRun(batch, seq, r);
            }
            writeMs = (System.nanoTime() - w0) / 1e6;
            store.endExecution(batch, seq, ExecutionState.FAILED, t0.plusSeconds(3600));
            long r0 = System.nanoTime();
            int n = store.items(batch).size();
            readMs = (System.nanoTime() - r0) / 1e6;
            if (n != runs) {
                throw new IllegalStateException("read " + n + " items, wrote " + runs);
            }
        }
        long l0 = System.nanoTime();
        listCommand.accept(file, batch);
        double listMs = (System.nanoTime() - l0) / 1e6;
        return new double[] {writeMs, readMs, listMs};
    }

    private static String fmt(double[] xs) {
        StringBuilder sb = new StringBuilder("[");
        for (double x : xs) {
            sb.append(sb.length() > 1 ? ", " : "").append(Math.round(x));
        }
        return sb.append("]").toString();
    }
}
