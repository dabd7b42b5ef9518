package dev.fanout.rows;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestApiTest {

    private static HttpClient client;

    @BeforeAll
    static void client() {
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void closeClient() {
        client = null;
    }

    private static HttpResponse<String> get(TestApi api, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.base().resolve(path)).timeout(Duration.ofSeconds(5)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void itemHasJsonShapeAndRecordsCaller() throws Exception {
        try (TestApi api = TestApi.start(TestApi.Config.defaults())) {
            assertThat(api.base()).isEqualTo(URI.create("http://127.0.0.1:" + api.port()));

            HttpResponse<String> r = get(api, "/items/7", "X-Caller-Pid", "1234", "X-Caller-Host", "exec-1");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(r.body()).isEqualTo("{\"id\":\"7\",\"name\":\"item-7\",\"price\":10.5,"
                    + "\"tags\":[\"a\",\"b\"],\"nested\":{\"code\":\"c-7\"}}");

            HttpResponse<String> text = get(api, "/items/abc");
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.body()).contains("\"price\":null", "\"id\":\"abc\"");

            List<TestApi.Call> calls = api.calls();
            assertThat(calls).hasSize(2);
            assertThat(calls.get(0).method()).isEqualTo("GET");
            assertThat(calls.get(0).path()).isEqualTo("/items/7");
            assertThat(calls.get(0).callerPid()).isEqualTo("1234");
            assertThat(calls.get(0).callerHost()).isEqualTo("exec-1");
            assertThat(calls.get(0).status()).isEqualTo(200);
            assertThat(calls.get(1).callerPid()).isNull();
            assertThat(api.callsByPid()).isEqualTo(Map.of("1234", 1L));

            api.reset();
            assertThat(api.calls()).isEmpty();
        }
    }

    @Test
    void jsonEscaping() {
        assertThat(TestApi.json("a\"b\\c\n\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\"");
        assertThat(TestApi.itemJson("x\"y")).startsWith("{\"id\":\"x\\\"y\",\"name\":\"item-x\\\"y\",\"price\":null");
    }

    @Test
    void statusEchoAndUnknown() throws Exception {
        try (TestApi api = TestApi.start(TestApi.Config.defaults())) {
            HttpResponse<String> r = get(api, "/status/404");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).isEqualTo("status 404");
            assertThat(get(api, "/status/503").statusCode()).isEqualTo(503);
            assertThat(get(api, "/nowhere").statusCode()).isEqualTo(404);

            HttpResponse<String> echo = client.send(HttpRequest.newBuilder(api.base().resolve("/echo"))
                    .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofString("a,b\n1,2"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(echo.statusCode()).isEqualTo(200);
            assertThat(echo.body()).isEqualTo("a,b\n1,2");
            assertThat(echo.headers().firstValue("Content-Type")).hasValue("text/csv");
            assertThat(api.calls().get(3).body()).isEqualTo("a,b\n1,2");
        }
    }

    @Test
    void errorRateOneAlwaysFails() throws Exception {
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withErrorRate(1.0))) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = get(api, "/items/" + i);
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).isEqualTo("injected failure");
            }
            assertThat(get(api, "/status/200").statusCode()).isEqualTo(200); // only /items is affected
        }
    }

    @Test
    void throttleAcceptsLimitPerSecond() throws Exception {
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withThrottle(5, 2))) {
            get(api, "/items/0"); // warm the client up, then start clean
            api.reset();

            int ok = 0;
            int throttled = 0;
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = get(api, "/items/" + i);
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertThat(r.statusCode()).isEqualTo(429);
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
                    assertThat(r.body()).isEqualTo("slow down");
                    throttled++;
                }
            }
            // 20 quick calls: 5 accepted per second, the rest throttled (more accepted only if the calls took > 1 s)
            assertThat(ok + throttled).isEqualTo(20);
            assertThat(throttled).isPositive();
            assertThat(api.calls()).hasSize(20);
            assertThat(api.accepted()).hasSize(ok);
            assertThat(api.maxInAnyWindow(Duration.ofSeconds(1), true)).isEqualTo(5);
        }
    }

    @Test
    void maxInWindowTwoPointers() {
        long ms = 1_000_000L;
        long[] t = {0, 10 * ms, 20 * ms, 500 * ms, 990 * ms, 1000 * ms, 1005 * ms, 1010 * ms};
        assertThat(TestApi.maxInWindow(t, 1000 * ms)).isEqualTo(6); // 10..1005 (1010 - 10 is not < 1000)
        assertThat(TestApi.maxInWindow(t, 30 * ms)).isEqualTo(4); // 990,1000,1005,1010
        assertThat(TestApi.maxInWindow(t, 1)).isEqualTo(1);
        assertThat(TestApi.maxInWindow(t, 2000 * ms)).isEqualTo(8);
        assertThat(TestApi.maxInWindow(new long[0], 1000 * ms)).isZero();
    }

    @Test
    void latencyDelaysItems() throws Exception {
        try (TestApi api = TestApi.start(TestApi.Config.defaults().withLatency(Duration.ofMillis(100)))) {
            get(api, "/status/200"); // warm-up, no latency outside /items
            long start = System.nanoTime();
            assertThat(get(api, "/items/1").statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        }
    }
}
