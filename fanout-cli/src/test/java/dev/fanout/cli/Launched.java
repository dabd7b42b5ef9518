package dev.fanout.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Processes a test starts as a user would ({@code bin/fanout} above all), each with its output in {@code dir};
 * {@link #close} stops every one of them and their children, also when the test failed.
 */
final class Launched implements AutoCloseable {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path LAUNCHER = ROOT.resolve("bin/fanout");

    private final Path dir;
    private final List<Process> started = new ArrayList<>();

    Launched(Path dir) {
        this.dir = dir;
    }

    /**
     * {@code bin/fanout args}, stdout to {@code dir/name.out}, stderr to {@code dir/name.err}, and a history file of its
     * own ({@code dir/name-history.db}) unless {@code --history} is given: never the user's {@code ~/.fanout}.
     */
    Process fanout(String name, String... args) throws IOException {
        // A command started in the background by a non-interactive shell (as a CI runner may start the build)
        // inherits SIGINT ignored, and an ignored signal stays ignored across exec: reset it, as a terminal would have it.
        List<String> cmd = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"",
                LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("FANOUT_HISTORY", dir.resolve(name + "-history.db").toString());
        return start(name, pb);
    }

    /** Starts {@code pb} with its output in {@code dir/name.out} and {@code .err}, to be stopped by {@link #close}. */
    Process start(String name, ProcessBuilder pb) throws IOException {
        Process p = pb.redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile())
                .start();
        started.add(p);
        return p;
    }

    String read(String file) throws IOException {
        return Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
    }

    /** The compiled test jobs ({@code dev.fanout.cli.testjobs}) as a jar, for {@code --jars}. */
    static Path testJobsJar(Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            Path classes = Path.of("target", "test-classes", "dev", "fanout", "cli", "testjobs");
            try (var files = Files.list(classes)) {
                for (Path c : files.toList()) {
                    out.putNextEntry(new JarEntry("dev/fanout/cli/testjobs/" + c.getFileName()));
                    out.write(Files.readAllBytes(c));
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

    @Override
    public void close() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
