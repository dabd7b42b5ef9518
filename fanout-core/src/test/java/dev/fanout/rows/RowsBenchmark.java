package dev.fanout.rows;

import dev.fanout.testing.SharedSpark;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A benchmark, not a test (skipped unless asked for): 2,000 rows, one call each to the local test API answering
 * after 50 ms, done (a) the way the seed question does it — collect the rows to the driver and call from a pool of 4
 * threads there — and (b) with {@link RowFanout}'s defaults on the executors. Rounds alternate; medians and their ratio
 * are printed. Run with:
 * <pre>mvn -q -pl fanout-core test -Dtest=RowsBenchmark -Dfanout.bench=true [-Dfanout.bench.rows=2000 -Dfanout.bench.rounds=3]</pre>
 */
@EnabledIfSystemProperty(named = "fanout.bench", matches = "true")
class RowsBenchmark {

    @Test
    void driverPoolOfFourVersusRowFanout() throws Exception {
        int rows = Integer.getInteger("fanout.bench.rows", 2000);
        int rounds = Integer.getInteger("fanout.bench.rounds", 3);
        SparkSession spark = SharedSpark.session();
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withLatency(Duration.ofMillis(50)))) {
            Dataset<Row> input = spark.range(rows).selectExpr("cast(id as string) as id").cache();
            input.count();
            String url = api.base() + "/items/{id}";
            driverPool(input, api.base().toString(), 4, Math.min(rows, 200)); // warm-up both ways
            fanout(input, url, Math.min(rows, 200));
            double[] pool = new double[rounds];
            double[] fan = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                api.reset();
                pool[r] = driverPool(input, api.base().toString(), 4, rows);
                check(api, rows, "driver pool");
                api.reset();
                fan[r] = fanout(input, url, rows);
                check(api, rows, "fanout");
                System.out.printf(Locale.ROOT, "round %d: driver pool of 4 %.1f rows/s, fanout rows %.1f rows/s%n", r + 1, pool[r], fan[r]);
            }
            double p = median(pool);
            double f = median(fan);
            System.out.printf(Locale.ROOT, "%d rows, 50 ms per call, %s, %d task slots, %d rounds (medians):%n", rows,
                    spark.sparkContext().master(), spark.sparkContext().defaultParallelism(), rounds);
            System.out.printf(Locale.ROOT, "  driver-side thread pool of 4: %8.1f rows/s%n", p);
            System.out.printf(Locale.ROOT, "  fanout rows (defaults):       %8.1f rows/s  (%.1fx)%n", f, f / p);
        }
    }

    /** The seed's pattern: rows to the driver, a pool of threads there, results back into a DataFrame. */
    private static double driverPool(Dataset<Row> input, String base, int threads, int rows) throws Exception {
        long t0 = System.nanoTime();
        List<Row> local = input.limit(rows).collectAsList();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Row>> futures = new ArrayList<>();
            for (Row r : local) {
                futures.add(pool.submit(() -> {
                    HttpResponse<String> resp = client.send(HttpRequest.newBuilder(URI.create(base + "/items/" + r.getString(0)))
                            .header("X-Caller-Pid", Long.toString(ProcessHandle.current().pid())).build(),
                            HttpResponse.BodyHandlers.ofString());
                    return RowFactory.create(r.getString(0), resp.body());
                }));
            }
            List<Row> out = new ArrayList<>();
            for (Future<Row> f : futures) {
                out.add(f.get());
            }
            StructType schema = new StructType().add("id", DataTypes.StringType).add("result", DataTypes.StringType);
            SharedSpark.session().createDataFrame(out, schema).write().format("noop").mode("overwrite").save();
        } finally {
            pool.shutdownNow();
        }
        return rows / ((System.nanoTime() - t0) / 1e9);
    }

    private static double fanout(Dataset<Row> input, String url, int rows) {
        long t0 = System.nanoTime();
        HttpRowFunction fn = HttpRowFunction.get(url).header("X-Caller-Pid", "{@pid}").build();
        RowFanout.builder().build().apply(input.limit(rows), fn).write().format("noop").mode("overwrite").save();
        return rows / ((System.nanoTime() - t0) / 1e9);
    }

    private static void check(TestApi api, int rows, String what) {
        long ok = api.calls().stream().filter(c -> c.status() == 200).count();
        if (ok != rows) {
            throw new IllegalStateException(what + ": " + ok + " successful calls for " + rows + " rows");
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
