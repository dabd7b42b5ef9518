package dev.fanout.examples.airline;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The airline pipeline as a workflow file, shipped on the classpath as {@code workflows/airline.yml} with the SQL it
 * uses ({@code workflows/sql/summary.sql}): {@code apply_batch} ({@link ApplyBatch}) -> {@code daily_metrics} (a
 * for-each of {@link DailyMetrics} over the touched days) -> {@code summary} (totals of the touched days). A workflow
 * is read from a file and its {@code sql:} paths are relative to it, so {@link #copyTo} writes both files into a
 * directory (the demo's {@code --dir}), from where {@code fanout workflow run DIR/airline.yml} works too.
 */
public final class AirlineWorkflow {
    /** The workflow file's name, in the classpath folder {@link #FOLDER} and in the directory it is copied to. */
    public static final String FILE = "airline.yml";
    /** The classpath folder holding the workflow file and its {@code sql/}. */
    public static final String FOLDER = "workflows";
    /** The files of the workflow, relative to its folder: the workflow first. */
    public static final List<String> FILES = List.of(FILE, "sql/summary.sql");

    public static final String APPLY_BATCH = "apply_batch";
    public static final String DAILY_METRICS = "daily_metrics";
    public static final String SUMMARY = "summary";

    private AirlineWorkflow() {}

    /**
     * What {@link #copyTo} did.
     *
     * @param workflow the workflow file written (absolute)
     * @param replaced files that were there with other content and now hold the shipped one
     */
    public record Copy(Path workflow, List<Path> replaced) {}

    /**
     * Writes the shipped workflow and its SQL into {@code dir} ({@code dir/airline.yml}, {@code dir/sql/summary.sql}),
     * creating it; a file already there with the same bytes is left alone, one with other bytes is replaced.
     */
    public static Copy copyTo(Path dir) {
        Path base = dir.toAbsolutePath().normalize();
        List<Path> replaced = new ArrayList<>();
        try {
            for (String name : FILES) {
                byte[] shipped = resource(name);
                Path target = base.resolve(name);
                if (Files.isRegularFile(target)) {
                    if (Arrays.equals(Files.readAllBytes(target), shipped)) {
                        continue;
                    }
                    replaced.add(target);
                }
                Files.createDirectories(target.getParent());
                Files.write(target, shipped);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the airline workflow into " + base + ": " + e.getMessage(), e);
        }
        return new Copy(base.resolve(FILE), List.copyOf(replaced));
    }

    /** The workflow's params for applying {@code batchFile} to {@code warehouse} (absolute paths). */
    public static Map<String, String> params(Path batchFile, Warehouse warehouse) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("batch", batchFile.toAbsolutePath().normalize().toString());
        params.put("warehouse", warehouse.dir().toString());
        return params;
    }

    private static byte[] resource(String name) throws IOException {
        String path = FOLDER + "/" + name;
        try (InputStream in = AirlineWorkflow.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException(path + " is not on the classpath (is fanout-examples complete?)");
            }
            return in.readAllBytes();
        }
    }
}
