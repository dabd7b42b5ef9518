package dev.fanout.rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.testing.SharedSpark;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Row fan-out against a real local HTTP service, on the shared local[4] session. */
@ExtendWith(SharedSpark.class)
@org.junit.jupiter.api.Timeout(value = 120)
class RowFanoutTest {

    private static Dataset<Row> ids(SparkSession spark, int n, int partitions) {
        return spark.range(0, n, 1, partitions).selectExpr("cast(id as string) as id", "concat('name-', id) as label");
    }

    private static Map<String, Row> byId(List<Row> rows) {
        Map<String, Row> m = new HashMap<>();
        for (Row r : rows) {
            assertThat(m.put(r.getAs("id"), r)).as("row %s twice", (Object) r.getAs("id")).isNull();
        }
        return m;
    }

    @Test
    void everyRowComesOutOnceWithItsResultFieldsMappedFromTheJson(SparkSession spark) {
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withLatency(Duration.ofMillis(5)))) {
            HttpRowFunction fn = HttpRowFunction.get(api.base() + "/items/{id}")
                    .header("X-Caller-Pid", "{@pid}")
                    .field("price", "/price", "double").field("name", "name", "string")
                    .field("code", "nested.code", "string").field("tags", "/tags", "json").field("absent", "/nope", "long")
                    .build();
            List<Row> out = RowFanout.builder().concurrency(4).build().apply(ids(spark, 500, 3), fn).collectAsList();

            Map<String, Row> rows = byId(out);
            assertThat(rows).hasSize(500);
            for (int i = 0; i < 500; i++) {
                Row r = rows.get(Integer.toString(i));
                assertThat((String) r.getAs("label")).isEqualTo("name-" + i); // input columns kept
                assertThat((String) r.getAs("error")).isNull();
                assertThat((Integer) r.getAs("attempts")).isEqualTo(1);
                Row result = r.getAs("result");
                assertThat(result.getDouble(0)).isEqualTo(i * 1.5);
                assertThat(result.getString(1)).isEqualTo("item-" + i);
                assertThat(result.getString(2)).isEqualTo("c-" + i);
                assertThat(result.getString(3)).isEqualTo("[\"a\",\"b\"]");
                assertThat(result.isNullAt(4)).isTrue();
            }
            // one call per row, each from this (local-mode) process
            assertThat(api.calls()).hasSize(500);
            assertThat(api.calls().stream().map(TestApi.Call::path).distinct()).hasSize(500);
            assertThat(api.callsByPid()).containsOnlyKeys(Long.toString(ProcessHandle.current().pid()));
        }
    }

    @Test
    void failedCallsAreRecordedOnTheirRowsRetryableOnesRetriedAndNothingIsLost(SparkSession spark) {
        try (TestApi api = TestApi.start(TestApi.Config.defaults())) {
            Dataset<Row> in = spark.range(0, 40, 1, 2)
                    .selectExpr("cast(id as string) as id", "element_at(array(200, 404, 503, 400), cast(id % 4 + 1 as int)) as code");
            HttpRowFunction fn = HttpRowFunction.get(api.base() + "/status/{code}").build();
            RowFanout.Tracked t = RowFanout.builder().retries(2).backoff(Duration.ofMillis(5), Duration.ofMillis(20)).build()
                    .prepare(in, fn);
            List<Row> out;
            try (t) {
                out = t.dataset().collectAsList();
                assertThat(t.counters().rowsDone()).isEqualTo(40);
                assertThat(t.counters().errors()).isEqualTo(30);
                assertThat(t.counters().errorsByKind()).containsExactlyInAnyOrderEntriesOf(
                        Map.of("http_404", 10L, "http_503", 10L, "http_400", 10L));
                assertThat(t.counters().calls()).isEqualTo(10 + 10 + 10 * 3 + 10);
            }
            Map<String, Row> rows = byId(out);
            assertThat(rows).hasSize(40);
            for (Row r : out) {
                int code = ((Number) r.getAs("code")).intValue();
                if (code == 200) {
                    assertThat((String) r.getAs("result")).isEqualTo("status 200");
                    assertThat((String) r.getAs("error")).isNull();
                } else {
                    assertThat((String) r.getAs("result")).isNull();
                    assertThat((String) r.getAs("error_kind")).isEqualTo("http_" + code);
                    assertThat((String) r.getAs("error")).startsWith("HTTP " + code + " from GET " + api.base() + "/status/" + code);
                    assertThat((Integer) r.getAs("attempts")).isEqualTo(code == 503 ? 3 : 1); // 503 retried, other 4xx not
                }
            }
            assertThat(api.calls()).hasSize(60);
        }
    }

    @Test
    void injectedFailuresAreRetriedAndEveryCallIsAccountedFor(SparkSession spark) {
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withErrorRate(0.3))) {
            HttpRowFunction fn = HttpRowFunction.get(api.base() + "/items/{id}").build();
            List<Row> out = RowFanout.builder().retries(4).backoff(Duration.ofMillis(1), Duration.ofMillis(10)).build()
                    .apply(ids(spark, 300, 4), fn).collectAsList();
            assertThat(byId(out)).hasSize(300);
            long attempts = 0;
            for (Row r : out) {
                int a = r.getAs("attempts");
                attempts += a;
                if (r.getAs("error") == null) {
                    assertThat((String) r.getAs("result")).contains("\"id\":\"" + r.getAs("id") + "\"");
                } else {
                    assertThat(a).isEqualTo(5);
                    assertThat((String) r.getAs("error_kind")).isEqualTo("http_503");
                }
            }
            assertThat(api.calls()).hasSize((int) attempts);
            assertThat(attempts).isGreaterThan(330); // about 30 % of the calls failed and were called again
        }
    }

    @Test
    void theRateLimitIsHeldAtTheServiceAcrossPartitions(SparkSession spark) {
        // the service throttles above 25 calls/s; fanout is asked for 20/s over 4 partitions running at once
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withThrottle(25, 1))) {
            HttpRowFunction fn = HttpRowFunction.get(api.base() + "/items/{id}").build();
            RowFanout.Tracked t = RowFanout.builder().rate(20).concurrency(8).partitions(4).build().prepare(ids(spark, 60, 1), fn);
            long start = System.nanoTime();
            List<Row> out = t.dataset().collectAsList();
            long took = System.nanoTime() - start;
            t.close();
            assertThat(t.runningAtOnce()).isEqualTo(4);
            assertThat(t.ratePerPartition()).isEqualTo(5.0);
            assertThat(out).allSatisfy(r -> assertThat((String) r.getAs("error")).isNull());
            assertThat(api.calls()).hasSize(60).allSatisfy(c -> assertThat(c.status()).isEqualTo(200)); // never throttled
            assertThat(api.maxInAnyWindow(Duration.ofSeconds(1), false)).isLessThanOrEqualTo(20 + 4);
            assertThat(took).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(2500)); // 60 calls at 20/s: >= 2.8 s of spacing
        }
    }

    @Test
    void retryAfterIsHonouredAndAnOverlongOneEndsTheRow(SparkSession spark) {
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withThrottle(4, 2))) {
            HttpRowFunction fn = HttpRowFunction.get(api.base() + "/items/{id}").build();
            List<Row> out = RowFanout.builder().concurrency(8).partitions(1).retries(5)
                    .backoff(Duration.ofMillis(1), Duration.ofMillis(5)).build()
                    .apply(ids(spark, 12, 1), fn).collectAsList();
            assertThat(out).hasSize(12).allSatisfy(r -> assertThat((String) r.getAs("error")).isNull());
            // each throttled call's retry came at least the 2 s the service asked for later
            Map<String, List<TestApi.Call>> byPath = api.calls().stream().collect(Collectors.groupingBy(TestApi.Call::path));
            int throttled = 0;
            for (List<TestApi.Call> calls : byPath.values()) {
                for (int i = 0; i + 1 < calls.size(); i++) {
                    assertThat(calls.get(i).status()).isEqualTo(429);
                    throttled++;
                    assertThat(calls.get(i + 1).nanoTime() - calls.get(i).nanoTime())
                            .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1950));
                }
            }
            assertThat(throttled).isPositive();
        }
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withThrottle(1, 120))) {
            HttpRowFunction fn = HttpRowFunction.get(api.base() + "/items/{id}").build();
            List<Row> out = RowFanout.builder().partitions(1).maxRetryAfter(Duration.ofSeconds(1)).build()
                    .apply(ids(spark, 5, 1), fn).collectAsList();
            List<Row> errors = out.stream().filter(r -> r.getAs("error") != null).collect(Collectors.toList());
            assertThat(errors).hasSize(4).allSatisfy(r -> {
                assertThat((String) r.getAs("error_kind")).isEqualTo("http_429");
                assertThat((String) r.getAs("error")).contains("asked to wait 120s");
                assertThat((Integer) r.getAs("attempts")).isEqualTo(1);
            });
        }
    }

    @Test
    void aTemplateNamingAMissingColumnIsRejectedBeforeAnyCall(SparkSession spark) {
        try (TestApi api = TestApi.start(TestApi.Config.defaults())) {
            HttpRowFunction fn = HttpRowFunction.get(api.base() + "/items/{idx}").build();
            assertThatThrownBy(() -> RowFanout.builder().build().apply(ids(spark, 10, 2), fn))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("column 'idx'")
                    .hasMessageContaining("columns: id, label");
            HttpRowFunction body = HttpRowFunction.request("POST", api.base() + "/echo").body("{\"v\": \"{value}\"}").build();
            assertThatThrownBy(() -> RowFanout.builder().build().apply(ids(spark, 10, 2), body))
                    .hasMessageContaining("body template").hasMessageContaining("column 'value'");
            assertThat(api.calls()).isEmpty();
        }
        assertThatThrownBy(() -> HttpRowFunction.get("127.0.0.1/items/{id}"))
                .hasMessageContaining("must be an absolute http:// or https:// URL");
        assertThatThrownBy(() -> HttpRowFunction.get("http://127.0.0.1/items/{@pdi}"))
                .hasMessageContaining("unknown placeholder {@pdi}");
    }

    @Test
    void bodiesAreFilledWithJsonEscapedValuesAndNullColumnsFailTheirRowOnly(SparkSession spark) {
        try (TestApi api = TestApi.start(TestApi.Config.defaults())) {
            Dataset<Row> in = spark.sql("select * from values ('1', 'say \"hi\"'), ('2', null) as t(id, text)");
            HttpRowFunction fn = HttpRowFunction.request("POST", api.base() + "/echo")
                    .body("{\"id\": {id}, \"text\": \"{text}\"}").field("text", "/text", "string").build();
            Map<String, Row> rows = byId(RowFanout.builder().build().apply(in, fn).collectAsList());
            assertThat(((Row) rows.get("1").getAs("result")).getString(0)).isEqualTo("say \"hi\"");
            assertThat((String) rows.get("2").getAs("error_kind")).isEqualTo("bad_input");
            assertThat((String) rows.get("2").getAs("error")).contains("column 'text' is null");
            assertThat(api.calls()).hasSize(1);
        }
    }

    @Test
    void pathValuesAreEncodedAsValuesAndFormBodiesAreFormEncoded(SparkSession spark) {
        try (TestApi api = TestApi.start(TestApi.Config.defaults())) {
            Dataset<Row> in = spark.sql("select * from values ('1', 'a b/c'), ('2', '..'), ('3', ''), ('4', 'x&y=1') as t(id, v)");
            HttpRowFunction fn = HttpRowFunction.request("POST", api.base() + "/echo?v={v}")
                    .header("Content-Type", "application/x-www-form-urlencoded").body("id={id}&v={v}").build();
            Map<String, Row> rows = byId(RowFanout.builder().build().apply(in, fn).collectAsList());
            assertThat((String) rows.get("1").getAs("result")).isEqualTo("id=1&v=a+b%2Fc");
            assertThat((String) rows.get("4").getAs("result")).isEqualTo("id=4&v=x%26y%3D1");
            assertThat((String) rows.get("3").getAs("error")).contains("column 'v' is empty");
            assertThat(api.calls()).hasSize(3);

            HttpRowFunction path = HttpRowFunction.get(api.base() + "/items/{v}").build();
            Dataset<Row> paths = spark.sql("select * from values ('1', 'a b+ä'), ('2', '..') as t(id, v)");
            Map<String, Row> byPath = byId(RowFanout.builder().build().apply(paths, path).collectAsList());
            assertThat((String) byPath.get("1").getAs("result")).contains("\"id\":\"a b+ä\"");
            assertThat((String) byPath.get("2").getAs("result")).contains("\"id\":\"..\""); // not /items/.. = /
        }
    }

    @Test
    void aCallPastItsTimeoutIsATimeoutRetriedThenRecorded(SparkSession spark) {
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withLatency(Duration.ofSeconds(3)))) {
            HttpRowFunction fn = HttpRowFunction.get(api.base() + "/items/{id}").build();
            List<Row> out = RowFanout.builder().timeout(Duration.ofMillis(300)).retries(1)
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(10)).build().apply(ids(spark, 4, 1), fn).collectAsList();
            assertThat(out).hasSize(4).allSatisfy(r -> {
                assertThat((String) r.getAs("error_kind")).isEqualTo("timeout");
                assertThat((Integer) r.getAs("attempts")).isEqualTo(2);
                assertThat((Long) r.getAs("latency_ms")).isBetween(250L, 2500L);
            });
        }
    }

    static final Map<Integer, AtomicInteger> IN_FLIGHT = new ConcurrentHashMap<>();
    static final Map<Integer, AtomicInteger> MAX_IN_FLIGHT = new ConcurrentHashMap<>();

    @Test
    void aBlockingFunctionRunsAtMostConcurrencyCallsPerPartitionAndItsExceptionsAreRecorded(SparkSession spark) {
        IN_FLIGHT.clear();
        MAX_IN_FLIGHT.clear();
        RowFunction fn = RowFunction.blocking(row -> {
            String thread = Thread.currentThread().getName(); // fanout-rows-p<partition>-call (TaskContext is the task thread's)
            int p = Integer.parseInt(thread.substring("fanout-rows-p".length(), thread.indexOf("-call")));
            int now = IN_FLIGHT.computeIfAbsent(p, k -> new AtomicInteger()).incrementAndGet();
            MAX_IN_FLIGHT.computeIfAbsent(p, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(30);
                String id = row.getString(0);
                if (id.endsWith("7")) {
                    throw new IllegalStateException("no sevens: " + id);
                }
                return id.toUpperCase() + "!";
            } finally {
                IN_FLIGHT.get(p).decrementAndGet();
            }
        });
        RowFanout.Tracked t = RowFanout.builder().concurrency(3).partitions(2).columnPrefix("f_").build().prepare(ids(spark, 60, 1), fn);
        List<Row> out = t.dataset().collectAsList();
        assertThat(t.counters().errorsByKind()).containsExactlyEntriesOf(Map.of("IllegalStateException", 6L));
        t.close();
        assertThat(out).hasSize(60);
        for (Row r : out) {
            String id = r.getAs("id");
            if (id.endsWith("7")) {
                assertThat((String) r.getAs("f_error")).isEqualTo("IllegalStateException: no sevens: " + id);
                assertThat((Integer) r.getAs("f_attempts")).isEqualTo(1); // not retried: a bug does not heal
            } else {
                assertThat((String) r.getAs("f_result")).isEqualTo(id + "!");
            }
        }
        // concurrency is a bound per partition, and it was reached
        assertThat(MAX_IN_FLIGHT.values()).extracting(AtomicInteger::get).containsExactly(3, 3);
    }

    @Test
    void anExistingResultColumnIsRefusedAndAStructResultMustMatch(SparkSession spark) {
        Dataset<Row> in = ids(spark, 3, 1).withColumnRenamed("label", "result");
        assertThatThrownBy(() -> RowFanout.builder().build().apply(in, RowFunction.blocking(r -> "x")))
                .hasMessageContaining("already has a column named 'result'");
        List<Row> out = RowFanout.builder().build().apply(ids(spark, 3, 1), new NotARow()).collectAsList();
        assertThat(out).hasSize(3).allSatisfy(r -> assertThat((String) r.getAs("error_kind")).isEqualTo("bad_result"));
    }

    /** Says its result is a struct, returns a string. */
    static final class NotARow implements RowFunction {
        @Override
        public java.util.concurrent.CompletionStage<?> call(Row row, RowCall call) {
            return java.util.concurrent.CompletableFuture.completedFuture("not a row");
        }

        @Override
        public org.apache.spark.sql.types.DataType resultType() {
            return new StructType().add("a", DataTypes.StringType);
        }
    }

    @Test
    void cancellingTheSparkJobStopsTheCalls(SparkSession spark) throws Exception {
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withLatency(Duration.ofMillis(100)))) {
            HttpRowFunction fn = HttpRowFunction.get(api.base() + "/items/{id}").build();
            Dataset<Row> out = RowFanout.builder().concurrency(2).partitions(2).build().apply(ids(spark, 2000, 2), fn);
            ExecutorService driver = Executors.newSingleThreadExecutor();
            try {
                Future<?> job = driver.submit(() -> {
                    // without interrupting the task threads (Spark's default): the tasks notice they were killed
                    spark.sparkContext().setJobGroup("rows-cancel-test", "rows", false);
                    return out.collectAsList();
                });
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (api.calls().size() < 20 && !job.isDone() && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertThat(job.isDone()).as("the job is still calling").isFalse();
                spark.sparkContext().cancelJobGroup("rows-cancel-test");
                assertThatThrownBy(() -> job.get(30, TimeUnit.SECONDS)).hasStackTraceContaining("cancel");
                Thread.sleep(500); // calls already sent finish; no new one starts
                int after = api.calls().size();
                Thread.sleep(1000);
                assertThat(api.calls()).hasSize(after);
                assertThat(after).isLessThan(200);
                List<String> launchers = new ArrayList<>();
                Thread.getAllStackTraces().keySet().forEach(th -> {
                    if (th.getName().startsWith("fanout-rows-p")) {
                        launchers.add(th.getName());
                    }
                });
                assertThat(launchers).isEmpty();
            } finally {
                driver.shutdownNow();
            }
        }
    }
}
