package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.cli.testjobs.AwaitLineJob;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that fails is said on stderr while the batch runs (plain progress mode), not only in the summary: the other run
 * of the batch waits for the failure line to reach stderr before it ends, and reports whether it saw it.
 */
class LiveFailureLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** stderr that counts {@link AwaitLineJob#SEEN} down once the failure line of item 0 is in it. */
    private static final class Watched extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final String wanted;
        private final CountDownLatch seen;

        Watched(String wanted, CountDownLatch seen) {
            this.wanted = wanted;
            this.seen = seen;
        }

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
            check();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            check();
        }

        private void check() {
            if (seen.getCount() > 0 && bytes.toString(StandardCharsets.UTF_8).contains(wanted)) {
                seen.countDown();
            }
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @TempDir
    Path dir;

    @Test
    void aFailedRunIsPrintedOnStderrBeforeTheBatchEnds() throws Exception {
        Path items = dir.resolve("items.csv");
        Files.writeString(items, "day,fail\n2024-01-01,true\n2024-01-02,false\n");
        CountDownLatch seen = new CountDownLatch(1);
        AwaitLineJob.SEEN = seen;
        String line = "fanout: #0 day=2024-01-01 fail=true failed (1 attempt, ";
        Watched err = new Watched(line, seen);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = FanoutCommand.commandLine(new Environment(new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8), CliHarness.SHARED, false, dir.resolve("h.db")))
                .execute("foreach", AwaitLineJob.class.getName(), "--items", items.toString(), "--parallelism", "2", "--json");

        assertThat(exit).as(err.text()).isEqualTo(1);
        JsonNode doc = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        // the run in flight saw the line while it ran: printed when the failure happened, not at the end
        assertThat(doc.get("runs").get(1).get("exitValue").asText()).isEqualTo("seen");
        String text = err.text();
        assertThat(text).containsPattern("fanout: #0 day=2024-01-01 fail=true failed \\(1 attempt, [0-9.]+m?s\\):"
                + " IllegalArgumentException: no bookings for 2024-01-01\n");
        assertThat(text).doesNotContain("at line two\n" + "fanout: AwaitLineJob"); // the first line of the error only
        assertThat(text.indexOf(line)).isLessThan(text.indexOf("fanout: AwaitLineJob, 2 run(s)"));
    }
}
