package dev.fanout.internal.engine;

import dev.fanout.BatchResult;
import dev.fanout.FailurePolicy;
import dev.fanout.FanoutListener;
import dev.fanout.Parallelism;
import dev.fanout.Redaction;
import dev.fanout.RetryPolicy;
import dev.fanout.SparkJob;
import dev.fanout.testing.FakeCluster;
import dev.fanout.testing.ManualTicker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An engine on a {@link FakeCluster} and a {@link ManualTicker}, with the helpers the engine tests share. */
final class EngineHarness {
    private static final Pattern GROUP = Pattern.compile("-(\\d+)-a(\\d+)$");

    final ManualTicker ticker = new ManualTicker();
    final FakeCluster cluster = new FakeCluster(ticker);
    Parallelism parallelism = Parallelism.fixed(2);
    Duration timeout;
    RetryPolicy retry = RetryPolicy.none();
    FailurePolicy failurePolicy = FailurePolicy.CONTINUE;
    Duration cancelGrace = Duration.ofSeconds(60);
    double random = 0.5;
    final List<FanoutListener> listeners = new ArrayList<>();
    /** The cluster's task time so far ({@link Cluster#taskNanos()}); null: the fake cluster's (unknown). */
    java.util.function.LongSupplier taskNanos;
    private Engine engine;

    Engine engine() {
        if (engine == null) {
            EngineSettings s = new EngineSettings(parallelism, timeout, retry, failurePolicy, listeners, Clock.systemUTC(),
                    true, cancelGrace, true, Redaction.defaults());
            engine = new Engine(taskNanos == null ? cluster : withTaskNanos(cluster, taskNanos), s, ticker, () -> random);
        }
        return engine;
    }

    /** {@code c}, reporting {@code taskNanos} as its task time so far. */
    private static Cluster withTaskNanos(Cluster c, java.util.function.LongSupplier taskNanos) {
        return new Cluster() {
            @Override
            public String poolName(int index) {
                return c.poolName(index);
            }

            @Override
            public Scope enter(String group, String description, String pool, boolean newSession) {
                return c.enter(group, description, pool, newSession);
            }

            @Override
            public void cancel(String group, String reason) {
                c.cancel(group, reason);
            }

            @Override
            public boolean awaitStopped(String group, Duration within) throws InterruptedException {
                return c.awaitStopped(group, within);
            }

            @Override
            public int runningTasks(String group) {
                return c.runningTasks(group);
            }

            @Override
            public long taskNanos() {
                return taskNanos.getAsLong();
            }

            @Override
            public dev.fanout.SparkMetrics takeMetrics(String group) {
                return c.takeMetrics(group);
            }

            @Override
            public Capacity capacity() {
                return c.capacity();
            }

            @Override
            public Runnable watchCapacity(Runnable onChange) {
                return c.watchCapacity(onChange);
            }
        };
    }

    /** Starts a batch on its own thread (it is the batch's dispatcher). */
    CompletableFuture<BatchResult> start(SparkJob job, Iterator<? extends Map<String, String>> items) {
        Engine e = engine();
        CompletableFuture<BatchResult> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(e.run(new BatchRequest(job, null, items, i -> i, OptionalLong.empty(), (i, x) -> { }, List.of())));
            } catch (Throwable x) {
                f.completeExceptionally(x);
            }
        }, "batch-caller");
        t.setDaemon(true);
        t.start();
        return f;
    }

    static BatchResult result(CompletableFuture<BatchResult> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("the batch did not end: " + e, e);
        }
    }

    /** Items {@code i=0..n-1}, counting how many were read. */
    static Iterator<Map<String, String>> items(int n, AtomicInteger read) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return read.get() < n;
            }

            @Override
            public Map<String, String> next() {
                return Map.of("i", Integer.toString(read.getAndIncrement()));
            }
        };
    }

    /** The item index of an attempt's job group. */
    static int item(FakeCluster.Entry e) {
        Matcher m = GROUP.matcher(e.group());
        if (!m.find()) {
            throw new AssertionError("not an attempt's group: " + e.group());
        }
        return Integer.parseInt(m.group(1));
    }

    /** The attempt number of an attempt's job group. */
    static int attempt(FakeCluster.Entry e) {
        Matcher m = GROUP.matcher(e.group());
        if (!m.find()) {
            throw new AssertionError("not an attempt's group: " + e.group());
        }
        return Integer.parseInt(m.group(2));
    }

    /** Waits (real time, at most 10 s) for a state the engine reaches on its own threads. */
    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }
}
