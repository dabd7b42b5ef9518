package dev.fanout.rows;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP service (JDK {@code HttpServer} only, bound to 127.0.0.1 on a random port) for tests and
 * benchmarks of per-row web API calls. Endpoints:
 * <ul>
 *   <li>{@code GET /items/{id}} – sleeps {@code latency}, then 200 JSON
 *       {@code {"id":"<id>","name":"item-<id>","price":<id*1.5 or null>,"tags":["a","b"],"nested":{"code":"c-<id>"}}};
 *       with probability {@code errorRate} a 503 {@code injected failure} instead (after the latency).</li>
 *   <li>{@code /status/{code}} – answers with that status (200..599) and body {@code status <code>}.</li>
 *   <li>{@code /echo} (any method) – 200, echoes the request body and its content type.</li>
 *   <li>anything else – 404.</li>
 * </ul>
 * Throttling (every endpoint, before latency and error injection): when more than
 * {@code throttleAbovePerSecond} requests were accepted in the last 1000 ms, answer 429 at once with
 * {@code Retry-After: <retryAfterSeconds>} and body {@code slow down}. Every request is recorded as a {@link Call}.
 */
public final class TestApi implements AutoCloseable {

    /** Service behaviour. {@code throttleAbovePerSecond == 0} turns throttling off. */
    public record Config(Duration latency, double errorRate, long seed, int throttleAbovePerSecond,
            int retryAfterSeconds) {
        public Config {
            Objects.requireNonNull(latency, "latency");
            if (latency.isNegative()) {
                throw new IllegalArgumentException("latency must not be negative: " + latency);
            }
            if (!(errorRate >= 0.0 && errorRate <= 1.0)) {
                throw new IllegalArgumentException("errorRate must be in [0, 1]: " + errorRate);
            }
            if (throttleAbovePerSecond < 0) {
                throw new IllegalArgumentException("throttleAbovePerSecond must be >= 0: " + throttleAbovePerSecond);
            }
            if (retryAfterSeconds < 0) {
                throw new IllegalArgumentException("retryAfterSeconds must be >= 0: " + retryAfterSeconds);
            }
        }

        /** No latency, no errors, seed 42, no throttling, Retry-After 1. */
        public static Config defaults() {
            return new Config(Duration.ZERO, 0.0, 42L, 0, 1);
        }

        public Config withLatency(Duration latency) {
            return new Config(latency, errorRate, seed, throttleAbovePerSecond, retryAfterSeconds);
        }

        public Config withErrorRate(double errorRate) {
            return new Config(latency, errorRate, seed, throttleAbovePerSecond, retryAfterSeconds);
        }

        public Config withThrottle(int perSecond, int retryAfterSeconds) {
            return new Config(latency, errorRate, seed, perSecond, retryAfterSeconds);
        }
    }

    /**
     * One recorded request. {@code nanoTime}/{@code at} are taken on arrival; {@code body} is the request
     * body (UTF-8, "" when empty); {@code callerPid}/{@code callerHost} are the {@code X-Caller-Pid} /
     * {@code X-Caller-Host} headers or null.
     */
    public record Call(long nanoTime, Instant at, String method, String path, String callerPid, String callerHost,
            int status, String body) {}

    private static final int THREADS = 256;
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Config config;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Random random;
    private final ArrayDeque<Long> acceptedWindow = new ArrayDeque<>();
    private final List<Call> calls = new ArrayList<>();

    private TestApi(Config config, HttpServer server, ExecutorService executor) {
        this.config = config;
        this.server = server;
        this.executor = executor;
        this.random = new Random(config.seed());
    }

    public static TestApi start(Config config) {
        Objects.requireNonNull(config, "config");
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK:
        // ~40 ms added to every call, which would swamp the latency a test sets. Read when the server class loads.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "test-api-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot bind test API", e);
        }
        TestApi api = new TestApi(config, server, executor);
        server.createContext("/", api::handle);
        server.setExecutor(executor);
        server.start();
        return api;
    }

    public URI base() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public Config config() {
        return config;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------- recording

    /** All calls so far, in arrival order (a copy). */
    public List<Call> calls() {
        List<Call> copy;
        synchronized (calls) {
            copy = new ArrayList<>(calls);
        }
        copy.sort(Comparator.comparingLong(Call::nanoTime)); // recorded on completion, sorted by arrival
        return copy;
    }

    /** Calls that were not throttled (status != 429), in arrival order. */
    public List<Call> accepted() {
        return calls().stream().filter(c -> c.status() != 429).toList();
    }

    /** Forgets recorded calls and the throttling window. */
    public void reset() {
        synchronized (calls) {
            calls.clear();
        }
        synchronized (acceptedWindow) {
            acceptedWindow.clear();
        }
    }

    /** Maximum number of (accepted, if asked) calls whose arrival lies within any window of that length. */
    public int maxInAnyWindow(Duration window, boolean acceptedOnly) {
        long[] times = (acceptedOnly ? accepted() : calls()).stream().mapToLong(Call::nanoTime).toArray();
        Arrays.sort(times);
        return maxInWindow(times, window.toNanos());
    }

    /** Number of calls per {@code X-Caller-Pid}; calls without that header are not counted. */
    public Map<String, Long> callsByPid() {
        Map<String, Long> byPid = new TreeMap<>();
        for (Call c : calls()) {
            if (c.callerPid() != null) {
                byPid.merge(c.callerPid(), 1L, Long::sum);
            }
        }
        return byPid;
    }

    /** Two pointers over sorted times: max count with {@code t[j] - t[i] < windowNanos}. */
    static int maxInWindow(long[] sortedNanos, long windowNanos) {
        int best = 0;
        int i = 0;
        for (int j = 0; j < sortedNanos.length; j++) {
            while (sortedNanos[j] - sortedNanos[i] >= windowNanos) {
                i++;
            }
            best = Math.max(best, j - i + 1);
        }
        return best;
    }

    // ---------------------------------------------------------------- handling

    private void handle(HttpExchange ex) {
        long arrival = System.nanoTime();
        Instant at = Instant.now();
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String body = "";
        int status = 500;
        Arrival arrived = new Arrival(arrival, at);
        inFlight.put(ex, arrived);
        try {
            body = readBody(ex.getRequestBody());
            arrived.body = body;
            status = respond(ex, method, path, body, arrival);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = trySend(ex, 503, "text/plain", "shutting down");
        } catch (Throwable t) {
            status = trySend(ex, 500, "text/plain", "internal error: " + t);
        } finally {
            record(ex, status); // when no answer could be sent
            ex.close();
        }
    }

    /**
     * Records the call once, before its answer is sent: a client that has its answer finds its call in
     * {@link #calls()}.
     */
    private void record(HttpExchange ex, int status) {
        Arrival a = inFlight.remove(ex); // exchange attributes are shared by the whole context: keep ours here
        if (a == null) {
            return;
        }
        Headers in = ex.getRequestHeaders();
        Call call = new Call(a.nanoTime, a.at, ex.getRequestMethod(), ex.getRequestURI().getPath(),
                in.getFirst("X-Caller-Pid"), in.getFirst("X-Caller-Host"), status, a.body);
        synchronized (calls) {
            calls.add(call);
        }
    }

    private static final class Arrival {
        final long nanoTime;
        final Instant at;
        volatile String body = "";

        Arrival(long nanoTime, Instant at) {
            this.nanoTime = nanoTime;
            this.at = at;
        }
    }

    private final java.util.concurrent.ConcurrentHashMap<HttpExchange, Arrival> inFlight = new java.util.concurrent.ConcurrentHashMap<>();

    private int respond(HttpExchange ex, String method, String path, String body, long arrival)
            throws IOException, InterruptedException {
        if (throttled(arrival)) {
            ex.getResponseHeaders().set("Retry-After", Integer.toString(config.retryAfterSeconds()));
            return send(ex, 429, "text/plain", "slow down");
        }
        if (path.startsWith("/items/")) {
            String id = path.substring("/items/".length());
            if (id.isEmpty() || id.contains("/") || !method.equals("GET")) {
                return send(ex, 404, "text/plain", "not found");
            }
            sleepLatency();
            if (injectFailure()) {
                return send(ex, 503, "text/plain", "injected failure");
            }
            return send(ex, 200, "application/json", itemJson(id));
        }
        if (path.startsWith("/status/")) {
            int code;
            try {
                code = Integer.parseInt(path.substring("/status/".length()));
            } catch (NumberFormatException e) {
                return send(ex, 400, "text/plain", "bad status code");
            }
            if (code < 200 || code > 599) {
                return send(ex, 400, "text/plain", "bad status code");
            }
            return send(ex, code, "text/plain", "status " + code);
        }
        if (path.equals("/echo")) {
            return send(ex, 200, ex.getRequestHeaders().getFirst("Content-Type"), body);
        }
        return send(ex, 404, "text/plain", "not found");
    }

    /** Sliding window of accepted arrivals in the last second; records this arrival when accepted. */
    private boolean throttled(long arrival) {
        int limit = config.throttleAbovePerSecond();
        if (limit <= 0) {
            return false;
        }
        synchronized (acceptedWindow) {
            while (!acceptedWindow.isEmpty() && arrival - acceptedWindow.peekFirst() >= WINDOW_NANOS) {
                acceptedWindow.pollFirst();
            }
            if (acceptedWindow.size() >= limit) {
                return true;
            }
            acceptedWindow.addLast(arrival);
            return false;
        }
    }

    private void sleepLatency() throws InterruptedException {
        long nanos = config.latency().toNanos();
        if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    }

    private boolean injectFailure() {
        if (config.errorRate() <= 0.0) {
            return false;
        }
        synchronized (random) {
            return random.nextDouble() < config.errorRate();
        }
    }

    static String itemJson(String id) {
        String price;
        try {
            price = Double.toString(Long.parseLong(id) * 1.5);
        } catch (NumberFormatException e) {
            price = "null";
        }
        return "{\"id\":" + json(id)
                + ",\"name\":" + json("item-" + id)
                + ",\"price\":" + price
                + ",\"tags\":[\"a\",\"b\"]"
                + ",\"nested\":{\"code\":" + json("c-" + id) + "}}";
    }

    /** A JSON string literal (with quotes) for {@code s}. */
    static String json(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String readBody(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private int send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        record(ex, status);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean noBody = status == 204 || status == 304 || bytes.length == 0 || "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, noBody ? -1 : bytes.length);
        if (!noBody) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
        return status;
    }

    private int trySend(HttpExchange ex, int status, String contentType, String body) {
        try {
            return send(ex, status, contentType, body);
        } catch (Throwable ignored) {
            return status; // headers may already be sent; the exchange is closed by the caller
        }
    }

    /** Manual tries: {@code TestApi [latencyMs]} (default 50) prints the base URI and runs until killed. */
    public static void main(String[] args) throws InterruptedException {
        long latencyMs = args.length > 0 ? Long.parseLong(args[0]) : 50L;
        TestApi api = start(Config.defaults().withLatency(Duration.ofMillis(latencyMs)));
        Runtime.getRuntime().addShutdownHook(new Thread(api::close, "test-api-shutdown"));
        System.out.println(api.base());
        new CountDownLatch(1).await();
    }
}
