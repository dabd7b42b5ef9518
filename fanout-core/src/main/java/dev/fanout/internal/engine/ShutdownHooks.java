package dev.fanout.internal.engine;

import java.util.function.LongConsumer;
import org.apache.spark.util.ShutdownHookManager;
import scala.runtime.BoxedUnit;

/**
 * Stops a running batch when the JVM shuts down, before Spark stops its context.
 *
 * <p>Spark runs its own shutdown hooks by priority from one JVM hook; a plain JVM hook of ours would
 * race with the one that stops the SparkContext, and runs would end FAILED ("SparkContext was shut
 * down") instead of CANCELLED. Registering with Spark's manager at a higher priority than the
 * context's makes the cancellation happen first.
 */
final class ShutdownHooks {
    private static final long WAIT_MILLIS = 30_000;

    private ShutdownHooks() {}

    static Object install(Runnable stop, LongConsumer awaitMillis) {
        return ShutdownHookManager.addShutdownHook(ShutdownHookManager.SPARK_CONTEXT_SHUTDOWN_PRIORITY() + 10, () -> {
            stop.run();
            awaitMillis.accept(WAIT_MILLIS);
            return BoxedUnit.UNIT;
        });
    }

    static void remove(Object hook) {
        if (!ShutdownHookManager.inShutdown()) {
            ShutdownHookManager.removeShutdownHook(hook);
        }
    }
}
