package dev.fanout.cli.console;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM during a batch: the first one stops the batch cleanly (in-flight runs
 * cancelled on the cluster, the rest skipped, the summary still printed, exit 130); a second one
 * exits at once. Catching the signal, rather than a shutdown hook, keeps Spark alive while the runs
 * are being cancelled.
 */
public final class SignalTrap implements AutoCloseable {
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private SignalTrap() {}

    public static SignalTrap install(PrintStream err, Runnable stop) {
        return install(err, "cancelling the runs in flight and skipping the rest", stop);
    }

    /** As {@link #install(PrintStream, Runnable)}, saying {@code what} the first signal does. */
    public static SignalTrap install(PrintStream err, String what, Runnable stop) {
        SignalTrap trap = new SignalTrap();
        AtomicInteger received = new AtomicInteger();
        SignalHandler handler = sig -> {
            if (received.getAndIncrement() == 0) {
                err.println();
                err.println("fanout: SIG" + sig.getName() + " received: " + what + " (send it again to exit at once)");
                Thread t = new Thread(stop, "fanout-interrupt");
                t.setDaemon(true);
                t.start();
            } else {
                Runtime.getRuntime().halt(130);
            }
        };
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal signal = new Signal(name);
                trap.previous.add(Signal.handle(signal, handler));
                trap.signals.add(signal);
            } catch (IllegalArgumentException unsupported) {
                // the platform or JVM does not let us handle it; the default behaviour stays
            }
        }
        return trap;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
