package dev.fanout.history.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Tells whether the process that owns a RUNNING execution is gone, so a reader can mark the execution INTERRUPTED.
 *
 * <p>An execution records its host, its PID and the PID's start time. On the same host the process is gone when no
 * process has that PID, or when the PID now belongs to a process started at another time (the PID was reused after
 * the owner died). On another host no PID can be checked: the owner writes a heartbeat every 30 seconds, and one
 * older than {@link #STALE_AFTER} means it is gone.
 */
final class ProcessLiveness {
    /** A heartbeat older than this says a process on another host is gone: six missed beats of 30 s. */
    static final Duration STALE_AFTER = Duration.ofMinutes(3);

    /**
     * How far two readings of the same process's start time may differ. The JDK computes it on Linux from the boot
     * time in whole seconds ({@code btime} in {@code /proc/stat}, itself the wall clock minus the uptime, which moves
     * when NTP adjusts the clock) plus the start in clock ticks, so the same process can read a second or so apart.
     * A reused PID belongs to a process started after the owner died, which takes a wrap-around of the PID space:
     * far more than this apart in practice.
     */
    static final Duration PID_START_TOLERANCE = Duration.ofSeconds(1);

    private final String host = hostName();

    /** A RUNNING execution as recorded: who owns it and when it last said it was alive (epoch millis). */
    record Owner(String host, long pid, long pidStartedMillis, long heartbeatMillis) {}

    /** This machine's name, as recorded with the executions it starts. */
    String host() {
        return host;
    }

    /** When {@code p} started (epoch millis), 0 when the system does not say. */
    static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    boolean isGone(Owner owner, Instant now) {
        if (!owner.host().equals(host)) {
            return now.toEpochMilli() - owner.heartbeatMillis() > STALE_AFTER.toMillis();
        }
        return ProcessHandle.of(owner.pid()).map(p -> !p.isAlive() || reused(p, owner)).orElse(true);
    }

    private static boolean reused(ProcessHandle p, Owner owner) {
        if (owner.pidStartedMillis() == 0) {
            return false; // its start time was unknown when recorded: the PID alone must do
        }
        long started = p.info().startInstant().map(Instant::toEpochMilli).orElse(owner.pidStartedMillis());
        return Math.abs(started - owner.pidStartedMillis()) > PID_START_TOLERANCE.toMillis();
    }

    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException ex) {
                return "unknown";
            }
        }
    }
}
