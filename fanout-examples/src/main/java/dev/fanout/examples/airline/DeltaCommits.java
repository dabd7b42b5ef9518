package dev.fanout.examples.airline;

import io.delta.exceptions.DeltaConcurrentModificationException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a whole, idempotent Delta write when another writer committed first and Delta reports a conflict
 * ({@link DeltaConcurrentModificationException}): exponential backoff with full jitter, so writers that collided
 * do not collide again in lockstep.
 */
public final class DeltaCommits {
    private static final Logger LOG = LoggerFactory.getLogger(DeltaCommits.class);

    public static final int DEFAULT_ATTEMPTS = 6;
    public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(200);

    private DeltaCommits() {}

    public static <T> T retryOnConflict(String what, Supplier<T> write) {
        return retryOnConflict(what, DEFAULT_ATTEMPTS, DEFAULT_BACKOFF, write);
    }

    public static <T> T retryOnConflict(String what, int attempts, Duration backoff, Supplier<T> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (RuntimeException e) {
                DeltaConcurrentModificationException conflict = conflict(e);
                if (conflict == null || attempt >= attempts) {
                    throw e;
                }
                long capMs = backoff.toMillis() << Math.min(attempt - 1, 10);
                long sleepMs = ThreadLocalRandom.current().nextLong(capMs / 2, capMs + 1);
                LOG.warn("{}: concurrent commit conflict ({}), retry {} of {} in {} ms", what,
                        conflict.getClass().getSimpleName(), attempt, attempts - 1, sleepMs);
                try {
                    Thread.sleep(sleepMs);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    e.addSuppressed(interrupted);
                    throw e;
                }
            }
        }
    }

    private static DeltaConcurrentModificationException conflict(Throwable e) {
        for (Throwable t : dev.fanout.ErrorInfo.causeChain(e)) {
            if (t instanceof DeltaConcurrentModificationException c) {
                return c;
            }
        }
        return null;
    }
}
