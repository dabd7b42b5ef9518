package dev.fanout.cli;

import dev.fanout.BadInputException;
import dev.fanout.history.HistoryException;
import dev.fanout.history.HistoryStore;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/** The history file a command records in or reads from; opened before Spark starts, so a bad file is a usage error. */
final class Recording implements AutoCloseable {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final HistoryStore store;
    private final Path file;

    private Recording(HistoryStore store, Path file) {
        this.store = store;
        this.file = file;
    }

    /** The history of {@code --history}, or the environment's default; none with {@code --no-history}. */
    static Recording open(Environment env, RunOptions run) {
        if (run.noHistory) {
            if (run.history != null) {
                throw new BadInputException("--history and --no-history exclude each other");
            }
            if (run.report != null) {
                throw new BadInputException("--report " + run.report + " is drawn from the history; it cannot be used with --no-history");
            }
            return new Recording(null, null);
        }
        return open(run.history != null ? run.history : env.history());
    }

    static Recording open(Path file) {
        try {
            HistoryStore s = HistoryStore.sqlite(file);
            return new Recording(s, Path.of(s.location()));
        } catch (HistoryException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    boolean enabled() {
        return store != null;
    }

    HistoryStore store() {
        return store;
    }

    Path file() {
        return file;
    }

    /** A new batch id: sortable by start time, short enough to type (20261122-143012-3fa9). */
    static String newBatchId() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(ID_TIME) + "-"
                + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
