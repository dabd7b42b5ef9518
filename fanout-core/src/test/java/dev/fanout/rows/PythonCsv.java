package dev.fanout.rows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Reads a CSV file with Python's {@code csv} module, an RFC 4180 reader independent of Spark's writer: the check that
 * a file fanout wrote is read back by other tools as written. Tests that use it are skipped without {@code python3}.
 */
public final class PythonCsv {
    private static final String SCRIPT = "import csv, json, sys\n"
            + "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
            + "    print(json.dumps(list(csv.reader(f))))\n";

    private PythonCsv() {}

    /** The records of {@code file}, header first, each a list of its fields. */
    public static List<List<String>> read(Path file) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("python3", "-c", SCRIPT, file.toString()).redirectErrorStream(false).start();
        } catch (IOException e) {
            Assumptions.abort("python3 is not installed: " + e.getMessage());
            throw e;
        }
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("python3's csv module could not read " + file + ": " + err);
        }
        return new ObjectMapper().readValue(out, new TypeReference<List<List<String>>>() {});
    }
}
