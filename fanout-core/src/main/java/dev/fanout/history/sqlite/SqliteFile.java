package dev.fanout.history.sqlite;

import dev.fanout.history.HistoryException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The history file on disk: created readable by its owner only, opened in WAL mode with a busy timeout, migrated to
 * the current {@link Schema}; and SQLite's errors turned into {@link HistoryException}s that name the file and say
 * what to do.
 *
 * <p>Opening retries on BUSY: turning a new file into WAL mode needs an exclusive lock, and SQLite answers BUSY at
 * once, without its busy handler, while another process does the same. The retry waits a little longer each time,
 * up to the busy timeout.
 */
final class SqliteFile {
    private SqliteFile() {}

    /** A connection to {@code file} (absolute), created when missing and migrated; the caller closes it. */
    static Connection open(Path file, int busyTimeoutMillis) {
        if (Files.isDirectory(file)) {
            throw new HistoryException("history file " + file + " is a directory; give a file path");
        }
        createOwnerOnly(file);
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(busyTimeoutMillis);
        long deadline = System.nanoTime() + busyTimeoutMillis * 1_000_000L;
        for (int tries = 1; ; tries++) {
            Connection conn = null;
            try {
                conn = config.createConnection("jdbc:sqlite:" + file);
                Schema.migrate(file, conn);
                return conn;
            } catch (SQLException e) {
                closeQuietly(conn);
                if (isBusy(e) && System.nanoTime() < deadline) {
                    sleepQuietly(Math.min(100, 5L * tries));
                    continue;
                }
                throw error(file, "open", e);
            } catch (RuntimeException e) {
                closeQuietly(conn);
                throw e;
            }
        }
    }

    /** Creates the file, and its directory, for their owner only; SQLite creates its -wal and -shm files alike. */
    static void createOwnerOnly(Path file) {
        try {
            Path dir = file.getParent();
            boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (dir != null && !Files.exists(dir)) {
                if (posix) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(dir);
                }
            }
            if (!Files.exists(file)) {
                if (posix) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } else {
                    Files.createFile(file);
                }
            }
        } catch (FileAlreadyExistsException e) {
            // another process created it meanwhile
        } catch (IOException e) {
            throw new HistoryException("cannot create history file " + file + ": " + e, e);
        }
    }

    /** SQLite's error as a {@link HistoryException} naming the file, what was being done and what to do. */
    static HistoryException error(Path file, String what, SQLException e) {
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode code = se.getResultCode();
            if (code == SQLiteErrorCode.SQLITE_NOTADB || code == SQLiteErrorCode.SQLITE_CORRUPT) {
                return new HistoryException("history file " + file + " is corrupt or not a SQLite database ("
                        + code.message + "); move it away or give another --history file", e);
            }
            if (code.name().startsWith("SQLITE_BUSY")) {
                return new HistoryException("history file " + file + " stayed locked by another process ("
                        + what + "); try again", e);
            }
            if (code == SQLiteErrorCode.SQLITE_READONLY || code == SQLiteErrorCode.SQLITE_CANTOPEN
                    || code == SQLiteErrorCode.SQLITE_PERM) {
                return new HistoryException("cannot write history file " + file + " (" + code.message + ")", e);
            }
        }
        return new HistoryException("history file " + file + ": " + what + " failed: " + e.getMessage(), e);
    }

    private static boolean isBusy(SQLException e) {
        return e instanceof SQLiteException se && se.getResultCode().name().startsWith("SQLITE_BUSY");
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new HistoryException("interrupted while waiting for a locked history file", ie);
        }
    }

    static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
        }
    }
}
