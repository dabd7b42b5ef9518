package dev.fanout;

import dev.fanout.internal.items.ItemFile;
import dev.fanout.internal.items.ItemFormat;
import dev.fanout.internal.items.Range;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The items of a batch: one parameter map per run, from a file, a range or a list.
 *
 * <pre>{@code
 * Items.csv(Path.of("tables.csv"))                                  // header row, one item per record
 * Items.file(Path.of("days.jsonl"))                                 // format from the extension
 * Items.range("day", LocalDate.of(2024, 1, 1), LocalDate.of(2024, 1, 31))
 * Items.parseRange("n=1..100:10")                                   // as the command line's --range
 * Items.withConstants(Items.csv(tables), Map.of("env", "prod"))     // every item also gets env=prod
 * }</pre>
 *
 * <p>Iteration is lazy: each pass over a file reads it as items are consumed, and a range computes its items.
 * Errors are {@link BadInputException}s naming the file, line and field (or the range and the bad part), thrown
 * when the bad item is reached. {@link #toList()} reads and checks everything, which is what a batch does before its
 * first run starts, so a typo on line 9,000 stops the batch before line 1 runs.
 *
 * <p>A file's parameter missing from an item, a JSON {@code null} and an empty unquoted CSV cell all mean the same:
 * the item does not give that parameter, and the job's default applies. Values are strings; JSON numbers and
 * booleans are given as their text.
 */
public final class Items implements Iterable<Map<String, String>> {
    private final String source;
    private final String where;
    private final List<Map<String, String>> list;
    private final Supplier<Iterator<Map<String, String>>> reader;
    private final Set<String> names;
    private final Map<String, String> constants;
    private final String constantsLabel;
    private Map<String, ParamType<?>> types = Map.of();
    /** A file's items once {@link #toList()} has read it: later passes reuse them instead of reading the file again. */
    private volatile List<Map<String, String>> read;

    private Items(String source, String where, List<Map<String, String>> list, Supplier<Iterator<Map<String, String>>> reader,
                  Set<String> names, Map<String, String> constants, String constantsLabel) {
        this.source = source;
        this.where = where;
        this.list = list;
        this.reader = reader;
        this.names = names;
        this.constants = constants;
        this.constantsLabel = constantsLabel;
    }

    // ---- ranges ----

    /** One item per day from {@code from} to {@code to}, both included: {@code name=2024-01-01}, ... */
    public static Items range(String name, LocalDate from, LocalDate to) {
        return range(name, from, to, 1);
    }

    /** One item every {@code stepDays} days from {@code from} up to {@code to}, both included. */
    public static Items range(String name, LocalDate from, LocalDate to, int stepDays) {
        return of(Range.dates(name, Objects.requireNonNull(from, "from"), Objects.requireNonNull(to, "to"), stepDays));
    }

    /** One item per integer from {@code from} to {@code to}, both included. */
    public static Items range(String name, long from, long to) {
        return range(name, from, to, 1);
    }

    /** One item every {@code step} from {@code from} up to {@code to}, both included. */
    public static Items range(String name, long from, long to, long step) {
        return of(Range.integers(name, from, to, step));
    }

    /**
     * The command line's {@code NAME=FROM..TO[:STEP]}: ISO dates (STEP in days) or integers, both ends included,
     * e.g. {@code day=2024-01-01..2024-01-31} or {@code n=1..100:10}.
     */
    public static Items parseRange(String spec) {
        return of(Range.parse(Objects.requireNonNull(spec, "spec")));
    }

    private static Items of(Range range) {
        String text = "--range " + range.spec();
        Items items = new Items(text, text, range.items(), null, Set.of(range.name()), Map.of(), null);
        items.types = Map.of(range.name(), range.dates() ? ParamType.DATE : ParamType.LONG);
        return items;
    }

    // ---- files ----

    /** A CSV file with a header row naming the parameters (RFC 4180 quoting; an empty unquoted cell is absent). */
    public static Items csv(Path file) {
        ItemFile.requireFile(file);
        return file(file, ItemFormat.CSV);
    }

    /** A JSON Lines file: one object per line, values strings, numbers or booleans. */
    public static Items jsonLines(Path file) {
        ItemFile.requireFile(file);
        return file(file, ItemFormat.JSONL);
    }

    /** A JSON file holding one array of objects. */
    public static Items json(Path file) {
        ItemFile.requireFile(file);
        return file(file, ItemFormat.JSON);
    }

    /** A file whose format its extension tells: {@code .csv}, {@code .jsonl} (or {@code .ndjson}), {@code .json}. */
    public static Items file(Path file) {
        ItemFile.requireFile(file);
        return file(file, ItemFormat.of(file));
    }

    /** A file in the named format: {@code csv}, {@code jsonl} or {@code json}, whatever its extension. */
    public static Items file(Path file, String format) {
        ItemFile.requireFile(file);
        return file(file, ItemFormat.named(Objects.requireNonNull(format, "format"), file));
    }

    private static Items file(Path file, ItemFormat format) {
        return new Items(file.toAbsolutePath().normalize().toString(), "'" + file + "'", null, () -> ItemFile.open(file, format),
                null, Map.of(), null);
    }

    // ---- lists ----

    /** These items, in this order (copied; a {@code null} value leaves the parameter out). */
    public static Items of(List<Map<String, String>> items) {
        return of(items, "a list of " + items.size() + " items");
    }

    /** These items; {@code source} says where they come from, for people and the history. */
    public static Items of(List<Map<String, String>> items, String source) {
        Objects.requireNonNull(source, "source");
        List<Map<String, String>> copy = new ArrayList<>(items.size());
        for (Map<String, String> item : items) {
            Map<String, String> c = new LinkedHashMap<>();
            item.forEach((k, v) -> {
                if (v != null) {
                    c.put(Objects.requireNonNull(k, "parameter name"), v);
                }
            });
            copy.add(Collections.unmodifiableMap(c));
        }
        return new Items(source, source, Collections.unmodifiableList(copy), null, null, Map.of(), null);
    }

    // ---- constants ----

    /**
     * Every item of {@code items} with the {@code constants} added. A name that is empty, or that an item gives too,
     * is a {@link BadInputException}: found here where the names are known up front (ranges, lists), otherwise
     * when the item that gives it is read.
     */
    public static Items withConstants(Items items, Map<String, String> constants) {
        return withConstants(items, constants, "constant");
    }

    /**
     * As {@link #withConstants(Items, Map)}, with {@code label} naming the constants in messages: the command line
     * passes {@code "-p"}, so a collision reads {@code -p day=2024-02-02 collides with parameter 'day' of the items
     * in 'days.csv'; give it in one place only}.
     */
    public static Items withConstants(Items items, Map<String, String> constants, String label) {
        Objects.requireNonNull(label, "label");
        Map<String, String> merged = new LinkedHashMap<>(items.constants);
        for (Map.Entry<String, String> c : constants.entrySet()) {
            String name = Objects.requireNonNull(c.getKey(), "constant name");
            String value = Objects.requireNonNull(c.getValue(), () -> "value of constant '" + name + "'");
            if (name.isBlank()) {
                throw new BadInputException(label + " '=" + value + "': the parameter name is empty");
            }
            if (merged.containsKey(name)) {
                throw new BadInputException(label + " " + name + "=" + value + " is given twice (also as " + name + "="
                        + merged.get(name) + ")");
            }
            merged.put(name, value);
        }
        if (constants.isEmpty()) {
            return items;
        }
        Items result = new Items(items.source, items.where, items.list, items.reader, items.names,
                Collections.unmodifiableMap(merged), label);
        result.types = items.types;
        Set<String> known = items.names;
        if (known != null) {
            known.stream().filter(merged::containsKey).findFirst().ifPresent(n -> {
                throw result.collision(n);
            });
        } else if (items.list != null) {
            items.list.forEach(result::withConstants);
        }
        return result;
    }

    // ---- reading ----

    /**
     * The items in order; a file is read as items are consumed, opened afresh for each iteration until {@link #toList()}
     * has read it once.
     */
    @Override
    public Iterator<Map<String, String>> iterator() {
        List<Map<String, String>> done = read;
        if (done != null) {
            return done.iterator();
        }
        Iterator<Map<String, String>> items = list != null ? list.iterator() : reader.get();
        if (constants.isEmpty()) {
            return items;
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return items.hasNext();
            }

            @Override
            public Map<String, String> next() {
                return withConstants(items.next());
            }
        };
    }

    /**
     * Every item, read and checked now: a file is read to its end, so any bad item is reported before this returns, and
     * only once (the command line checks every item before anything starts, then fanout records and runs them). Ranges
     * and lists stay computed on demand (a range of ten million days costs no memory).
     */
    public List<Map<String, String>> toList() {
        if (list != null) {
            if (constants.isEmpty()) {
                return list;
            }
            return new AbstractList<>() {
                @Override
                public Map<String, String> get(int index) {
                    return withConstants(list.get(index));
                }

                @Override
                public int size() {
                    return list.size();
                }
            };
        }
        List<Map<String, String>> done = read;
        if (done == null) {
            List<Map<String, String>> all = new ArrayList<>();
            iterator().forEachRemaining(all::add);
            done = Collections.unmodifiableList(all);
            read = done;
        }
        return done;
    }

    /**
     * Where the items come from, for people and the history: a file's absolute path,
     * {@code --range day=2024-01-01..2024-01-31} for a range, or a list's description.
     */
    public String source() {
        return source;
    }

    /** How many items there are, when known without reading them (ranges, lists, a file {@link #toList()} has read). */
    public OptionalLong size() {
        List<Map<String, String>> done = read;
        return list != null ? OptionalLong.of(list.size()) : done != null ? OptionalLong.of(done.size()) : OptionalLong.empty();
    }

    /**
     * The types these items declare for their parameters: a range of dates declares {@link ParamType#DATE}, a range of
     * integers {@link ParamType#LONG}; files, lists and constants declare none (their values are strings). A run sees
     * them through {@link JobContext#declaredType}; a SQL job binds such values typed.
     */
    public Map<String, ParamType<?>> types() {
        return types;
    }

    /** The parameters every item gets besides its own. */
    public Map<String, String> constants() {
        return constants;
    }

    @Override
    public String toString() {
        // Names only: a constant may be a secret.
        return constants.isEmpty() ? source : source + " with constants " + constants.keySet();
    }

    private Map<String, String> withConstants(Map<String, String> item) {
        for (String name : constants.keySet()) {
            if (item.containsKey(name)) {
                throw collision(name);
            }
        }
        Map<String, String> all = new LinkedHashMap<>(item);
        all.putAll(constants);
        return Collections.unmodifiableMap(all);
    }

    private BadInputException collision(String name) {
        return new BadInputException(constantsLabel + " " + name + "=" + constants.get(name) + " collides with parameter '"
                + name + "' of the items in " + where + "; give it in one place only");
    }
}
