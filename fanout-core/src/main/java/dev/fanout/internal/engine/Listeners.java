package dev.fanout.internal.engine;

import dev.fanout.FanoutListener;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls every listener; a listener that throws is logged and does not disturb the batch. */
final class Listeners {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
    private final List<FanoutListener> listeners;

    Listeners(List<FanoutListener> listeners) {
        this.listeners = listeners;
    }

    void fire(Consumer<FanoutListener> call) {
        for (FanoutListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException | Error e) {
                LOG.warn("listener {} failed: {}", l.getClass().getName(), e.toString(), e);
            }
        }
    }
}
