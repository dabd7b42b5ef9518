package dev.fanout.rows;

import dev.fanout.ErrorInfo;
import dev.fanout.RetryPolicy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;

/**
 * Calls a {@link RowFunction} for every row of one partition and yields each row once, in input order, with its
 * outcome. Runs inside a Spark task: the task thread reads the input (Spark's iterators belong to it) and takes the
 * results; one launcher thread starts the calls — first calls and retries alike — each once a concurrency permit is
 * free and the pacer allows it; a call's completion releases its permit and either ends the row or schedules its
 * retry. At most {@link CallSettings#window()} rows are taken ahead of the oldest unfinished one.
 */
final class PartitionCalls implements Iterator<PartitionCalls.Done>, AutoCloseable {

    /** A row and how its calls ended. {@code result} is null when {@code error} is not. */
    record Done(Row row, Object result, String error, String errorKind, int attempts, long latencyMillis) {}

    private final Iterator<Row> input;
    private final RowFunction fn;
    private final CallSettings settings;
    private final int partitionId;
    private final ArrayDeque<Pending> window = new ArrayDeque<>();
    private final DelayQueue<Pending> due = new DelayQueue<>();
    private final Semaphore permits;
    private final Pacer pacer;
    private final AtomicLong calls = new AtomicLong();
    private final Thread launcher;
    private volatile ExecutorService blockingPool;
    private volatile boolean closed;

    PartitionCalls(Iterator<Row> input, RowFunction fn, CallSettings settings, int partitionId) {
        this.input = input;
        this.fn = fn;
        this.settings = settings;
        this.partitionId = partitionId;
        this.permits = new Semaphore(settings.concurrency());
        this.pacer = new Pacer(settings.ratePerSecond());
        this.launcher = new Thread(this::launchLoop, "fanout-rows-p" + partitionId);
        launcher.setDaemon(true);
        launcher.start();
    }

    /** Calls started so far, retries included. */
    long calls() {
        return calls.get();
    }

    @Override
    public boolean hasNext() {
        fill();
        return !window.isEmpty();
    }

    @Override
    public Done next() {
        stopIfKilled();
        fill();
        Pending head = window.poll();
        if (head == null) {
            throw new NoSuchElementException();
        }
        try {
            while (true) {
                try {
                    return head.done.get(200, TimeUnit.MILLISECONDS);
                } catch (TimeoutException slice) {
                    stopIfKilled();
                }
            }
        } catch (InterruptedException e) {
            close(); // the task was killed (job cancelled): stop calling
            Thread.currentThread().interrupt();
            stopIfKilled(); // Spark's TaskKilledException when Spark killed it
            throw new IllegalStateException("interrupted while waiting for a row's call", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a row's call ended abnormally", e.getCause());
        }
    }

    /** A job cancelled without interrupting its tasks marks them killed: stop calling then too. */
    private void stopIfKilled() {
        TaskContext task = TaskContext.get();
        if (task != null && task.isInterrupted()) {
            close();
            task.killTaskIfInterrupted();
        }
    }

    private void fill() {
        while (!closed && window.size() < settings.window() && input.hasNext()) {
            Pending p = new Pending(input.next().copy());
            window.add(p);
            due.add(p);
        }
    }

    private void launchLoop() {
        try {
            while (!closed) {
                Pending p = due.take();
                permits.acquire();
                try {
                    pacer.acquire();
                } catch (InterruptedException e) {
                    permits.release();
                    throw e;
                }
                if (closed) {
                    permits.release();
                    return;
                }
                try {
                    launch(p);
                } catch (Throwable t) { // never leave a row without an outcome: its task would wait forever
                    permits.release();
                    p.done.complete(new Done(p.row, null, "fanout failed to start the call: " + t, "internal", p.attempts, 0));
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void launch(Pending p) {
        int attempt = ++p.attempts;
        calls.incrementAndGet();
        long start = System.nanoTime();
        CompletableFuture<?> f;
        try {
            CompletionStage<?> stage = fn.call(p.row, new Call(attempt));
            f = stage == null
                    ? CompletableFuture.failedFuture(new IllegalStateException("the row function returned null, not a CompletionStage"))
                    : stage.toCompletableFuture();
        } catch (Throwable t) {
            f = CompletableFuture.failedFuture(t);
        }
        f.orTimeout(settings.timeout().toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((value, error) -> {
                    permits.release();
                    try {
                        ended(p, value, error, System.nanoTime() - start);
                    } catch (Throwable t) { // never leave a row without an outcome: its task would wait forever
                        p.done.complete(new Done(p.row, null, "fanout failed to handle the call's outcome: " + t, "internal",
                                p.attempts, 0));
                    }
                });
    }

    private void ended(Pending p, Object value, Throwable error, long callNanos) {
        long latency = TimeUnit.NANOSECONDS.toMillis(callNanos);
        if (error == null) {
            p.done.complete(new Done(p.row, value, null, null, p.attempts, latency));
            return;
        }
        Throwable cause = unwrap(error);
        String kind = kind(cause);
        String message = message(cause);
        boolean retryable = retryable(cause);
        Duration retryAfter = cause instanceof RowCallException rce ? rce.retryAfter().orElse(null) : null;
        if (retryable && retryAfter != null && retryAfter.compareTo(settings.maxRetryAfter()) > 0) {
            message += " (asked to wait " + retryAfter.toSeconds() + "s before trying again, longer than the "
                    + settings.maxRetryAfter().toSeconds() + "s honoured)";
            retryable = false;
        }
        if (!retryable || p.attempts > settings.retries() || closed) {
            p.done.complete(new Done(p.row, null, message, kind, p.attempts, latency));
            return;
        }
        long wait = settings.backoff().nanos(p.attempts, ThreadLocalRandom.current().nextDouble());
        if (retryAfter != null) {
            long asked = retryAfter.toNanos();
            pacer.pauseUntil(System.nanoTime() + asked); // the server is throttling this client: every call waits
            wait = Math.max(wait, asked);
        }
        p.dueAt = System.nanoTime() + wait;
        due.add(p);
    }

    /** The failure under the wrappers of asynchronous completion ({@code CompletionException}, {@code ExecutionException}). */
    static Throwable unwrap(Throwable t) {
        return ErrorInfo.causeChain(t).stream()
                .filter(c -> !(c instanceof CompletionException || c instanceof ExecutionException))
                .findFirst().orElse(t);
    }

    static String kind(Throwable t) {
        if (t instanceof RowCallException rce) {
            return rce.kind();
        }
        if (t instanceof TimeoutException || t instanceof HttpTimeoutException) {
            return "timeout";
        }
        if (t instanceof ConnectException) {
            return "connect";
        }
        if (t instanceof IOException) {
            return "io";
        }
        return t.getClass().getSimpleName();
    }

    private String message(Throwable t) {
        if (t instanceof TimeoutException && t.getMessage() == null) {
            return "no answer within " + dev.fanout.DurationFormat.format(settings.timeout());
        }
        if (t instanceof RowCallException rce) {
            return t.getMessage() != null ? t.getMessage() : rce.kind(); // an error always has a message
        }
        return t.getMessage() == null ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /**
     * Whether a failed call may succeed if made again. Shared with a run's {@link RetryPolicy}: the never-retry rule
     * ({@link RetryPolicy#isNonRetryable}) and the backoff formula. Not shared, on purpose: here only what says it may
     * heal is retried — the function's own verdict ({@link RowCallException}), timeouts (a slow answer) and I/O errors
     * — and any other exception is a bug in the row function, recorded at once; a run instead retries any failure by
     * default (Spark jobs fail for passing reasons) and not its timeouts (a job that hung once tends to hang again).
     */
    static boolean retryable(Throwable t) {
        if (RetryPolicy.isNonRetryable(t)) {
            return false;
        }
        if (t instanceof RowCallException rce) {
            return rce.isRetryable();
        }
        return t instanceof TimeoutException || t instanceof IOException;
    }

    /** Stops calling: the launcher ends, blocking calls are interrupted; rows not done are never yielded. */
    @Override
    public void close() {
        closed = true;
        launcher.interrupt();
        ExecutorService pool = blockingPool;
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private ExecutorService blockingPool() {
        ExecutorService pool = blockingPool;
        if (pool == null) {
            synchronized (this) {
                pool = blockingPool;
                if (pool == null) {
                    pool = Executors.newFixedThreadPool(settings.concurrency(), r -> {
                        Thread t = new Thread(r, "fanout-rows-p" + partitionId + "-call");
                        t.setDaemon(true);
                        return t;
                    });
                    blockingPool = pool;
                    if (closed) {
                        pool.shutdownNow();
                    }
                }
            }
        }
        return pool;
    }

    private final class Call implements RowCall {
        private final int attempt;

        Call(int attempt) {
            this.attempt = attempt;
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public int partitionId() {
            return partitionId;
        }

        @Override
        public Duration timeout() {
            return settings.timeout();
        }

        @Override
        public ExecutorService blockingExecutor() {
            return blockingPool();
        }
    }

    /** One row on its way: due for its next call at {@code dueAt}. */
    private static final class Pending implements Delayed {
        final Row row;
        final CompletableFuture<Done> done = new CompletableFuture<>();
        volatile long dueAt = System.nanoTime();
        int attempts; // written by the launcher, read after its call completes (happens-before via the future)

        Pending(Row row) {
            this.row = row;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueAt - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(dueAt - ((Pending) o).dueAt, 0);
        }
    }
}
