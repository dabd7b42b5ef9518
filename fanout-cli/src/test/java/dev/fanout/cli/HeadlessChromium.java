package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * The browser the report tests render pages in: headless Chromium (installed by {@code .ci/run}; another binary with
 * {@code -Dfanout.test.chromium=PATH}), each call with a fresh profile, no network chatter, killed with its children
 * when it ends; plus what those tests count in a page and a screenshot.
 */
final class HeadlessChromium {
    static final Path BINARY = Path.of(System.getProperty("fanout.test.chromium", "/usr/bin/chromium"));

    private final Path dir;

    /** @param dir a temporary directory for profiles and outputs */
    HeadlessChromium(Path dir) {
        assertThat(Files.isExecutable(BINARY))
                .as("the report tests need Chromium at %s: apt-get install -y chromium (.ci/run does)", BINARY).isTrue();
        this.dir = dir;
    }

    /** Runs Chromium with {@code args} (its stderr, the page's console among it, into {@code log}) and returns its stdout. */
    String run(Path log, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0",
                "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "chromium", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
        try {
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isZero();
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** The page's DOM after its scripts ran. */
    String dom(Path page, Path log) throws IOException, InterruptedException {
        return run(log, "--dump-dom", page.toUri().toString());
    }

    /** A screenshot of the page at {@code width x height}: how many pixels have each of {@code colors} (RGB), and -1 for non-white ones. */
    Map<Integer, Integer> pixels(Path page, int width, int height, int... colors) throws IOException, InterruptedException {
        Path png = Files.createTempFile(dir, "shot", ".png");
        run(Files.createTempFile(dir, "shot", ".log"), "--screenshot=" + png, "--window-size=" + width + "," + height,
                page.toUri().toString());
        BufferedImage image = ImageIO.read(png.toFile());
        Map<Integer, Integer> counts = new TreeMap<>();
        counts.put(-1, 0);
        for (int c : colors) {
            counts.put(c, 0);
        }
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                counts.computeIfPresent(rgb, (k, v) -> v + 1);
                if (rgb != 0xffffff) {
                    counts.merge(-1, 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    /** How often {@code what} occurs in {@code text}. */
    static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
