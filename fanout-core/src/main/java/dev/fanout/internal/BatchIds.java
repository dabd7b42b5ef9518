package dev.fanout.internal;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/** Batch ids: sortable by start time, short enough to type ({@code 20261122-143012-3fa9}); one scheme for every batch. */
public final class BatchIds {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private BatchIds() {}

    public static String next(Clock clock) {
        return ID_TIME.format(clock.instant()) + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }
}
