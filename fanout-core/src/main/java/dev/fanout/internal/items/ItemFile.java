package dev.fanout.internal.items;

import dev.fanout.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * One pass over an items file, reading items as they are consumed.
 *
 * <p>The file is opened at the first {@link #hasNext()} and closed when the last item has been read or at the first
 * error, so a pass that runs to the end (as {@code Items.toList()} does) leaves nothing open; a pass abandoned half
 * way leaves its file to the garbage collector. The text must be UTF-8 (a leading byte-order mark is skipped); a
 * file that holds no item at all is an error, so an empty batch is never started by mistake. Subclasses parse one
 * format and name the file, line and field of anything wrong.
 */
public abstract class ItemFile implements Iterator<Map<String, String>> {
    /** The file as the caller named it, which is how messages name it. */
    protected final Path file;
    private BufferedReader in;
    private Map<String, String> next;
    private boolean done;
    private long count;

    protected ItemFile(Path file) {
        this.file = file;
    }

    /** A new pass over {@code file} in {@code format}. */
    public static ItemFile open(Path file, ItemFormat format) {
        return switch (format) {
            case CSV -> new CsvItems(file);
            case JSONL -> new JsonLinesItems(file);
            case JSON -> new JsonArrayItems(file);
        };
    }

    /** Rejects a file that does not exist or is a directory, before anything else is said about it. */
    public static void requireFile(Path file) {
        if (!Files.exists(file)) {
            throw new BadInputException("items file '" + file + "' does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new BadInputException("items file '" + file + "' is a directory, not a file");
        }
    }

    /** The next item, or null at the end of the file. */
    protected abstract Map<String, String> read(BufferedReader in) throws IOException;

    @Override
    public final boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        try {
            if (in == null) {
                in = openText();
            }
            next = read(in);
        } catch (CharacterCodingException e) {
            throw fail(new BadInputException("items file '" + file + "' is not UTF-8 text"));
        } catch (NoSuchFileException e) {
            throw fail(new BadInputException("items file '" + file + "' does not exist"));
        } catch (IOException e) {
            throw fail(new BadInputException("cannot read items file '" + file + "': " + e.getMessage()));
        } catch (RuntimeException e) {
            throw fail(e);
        }
        if (next == null) {
            close();
            if (count == 0) {
                throw new BadInputException("items file '" + file + "' has no items");
            }
            return false;
        }
        count++;
        return true;
    }

    @Override
    public final Map<String, String> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Map<String, String> item = next;
        next = null;
        return item;
    }

    private BufferedReader openText() throws IOException {
        InputStream bytes = Files.newInputStream(file);
        // newDecoder() reports malformed input (as CharacterCodingException) where String decoding would replace it.
        BufferedReader reader = new BufferedReader(new InputStreamReader(bytes, StandardCharsets.UTF_8.newDecoder()));
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset();
        }
        return reader;
    }

    private RuntimeException fail(RuntimeException e) {
        close();
        return e;
    }

    private void close() {
        done = true;
        next = null;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // Read-only: every item read is already in hand, so a failed close loses nothing.
            }
        }
    }
}
