package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * fanout on a real Spark standalone cluster on this machine ({@code bin/local-cluster}: a master and two workers
 * of one core each, separate JVMs on 127.0.0.1), driven by {@code bin/fanout --master spark://...} like a user
 * would. Every process started here is stopped here, also when a test fails.
 */
class ClusterIT {
    private static final Path CLUSTER = Launched.ROOT.resolve("bin/local-cluster");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RESULT = Pattern.compile("sum=(\\d+) pids=\\[([\\d, ]+)]");

    private static Path dir;
    private static Path clusterDir;
    private static Path jar;
    private static String master;
    private static double clusterStartSeconds;

    private Launched launched;

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createTempDirectory("fanout-cluster-it");
        clusterDir = dir.resolve("cluster");
        jar = Launched.testJobsJar(dir.resolve("testjobs.jar"));
        int port;
        int ui;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            port = a.getLocalPort();
            ui = b.getLocalPort();
        }
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(CLUSTER.toString(), "start", "--workers", "2", "--cores", "1", "--memory", "1g",
                "--port", Integer.toString(port), "--webui-port", Integer.toString(ui))
                .redirectOutput(dir.resolve("cluster-start.out").toFile()).redirectError(dir.resolve("cluster-start.err").toFile());
        pb.environment().put("FANOUT_CLUSTER_DIR", clusterDir.toString());
        Process p = pb.start();
        boolean done = p.waitFor(240, TimeUnit.SECONDS);
        clusterStartSeconds = (System.nanoTime() - t0) / 1e9;
        String err = Files.readString(dir.resolve("cluster-start.err"));
        assertThat(done).as("local-cluster start finished; %s", err).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        List<String> out = Files.readAllLines(dir.resolve("cluster-start.out"));
        master = out.get(out.size() - 1).trim();
        assertThat(master).isEqualTo("spark://127.0.0.1:" + port);
        System.out.printf("ClusterIT: 2-worker cluster started in %.1f s%n", clusterStartSeconds);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (clusterDir == null) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder(CLUSTER.toString(), "stop").inheritIO();
        pb.environment().put("FANOUT_CLUSTER_DIR", clusterDir.toString());
        assertThat(pb.start().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(clusterProcesses()).as("no master, worker or executor of the test cluster left").isEmpty();
    }

    @BeforeEach
    void launcher() {
        launched = new Launched(dir);
    }

    @AfterEach
    void stopDrivers() {
        launched.close();
    }

    /** JVMs whose command line mentions the test cluster's directory (daemons and executors run in its work dirs). */
    private static List<ProcessHandle> clusterProcesses() {
        return processes(c -> c.contains(clusterDir.toString()));
    }

    private static List<ProcessHandle> executors() {
        return processes(c -> c.contains("CoarseGrainedExecutorBackend"));
    }

    /**
     * Live processes whose command line matches, read from /proc directly: {@code ProcessHandle.Info} gives no
     * command line for these JVMs (their classpath makes it longer than it reads).
     */
    private static List<ProcessHandle> processes(java.util.function.Predicate<String> commandLine) {
        List<ProcessHandle> out = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(h -> {
            try {
                byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline"));
                if (h.isAlive() && commandLine.test(new String(raw, StandardCharsets.UTF_8).replace('\0', ' '))) {
                    out.add(h);
                }
            } catch (IOException | RuntimeException e) {
                // gone meanwhile
            }
        });
        return out;
    }

    private static String read(String name) throws IOException {
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    }

    private JsonNode finish(Process p, String name, int exit) throws Exception {
        awaitExit(p, name, exit);
        return JSON.readTree(read(name + ".out"));
    }

    private static void awaitExit(Process p, String name, int exit) throws Exception {
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("%s finished", name).isTrue();
        assertThat(p.exitValue()).as(read(name + ".err")).isEqualTo(exit);
    }

    /** What WhereJob computes for item n, without Spark. */
    private static long expectedSum(long n) {
        long sum = 0;
        for (long x = 0; x < 40_000; x++) {
            sum += (x * x + n) % 1_000_003;
        }
        return sum;
    }

    private record Where(long sum, Set<Long> pids) {}

    private static Map<Integer, Where> results(JsonNode doc) {
        Map<Integer, Where> out = new HashMap<>();
        for (JsonNode r : doc.get("runs")) {
            assertThat(r.get("outcome").asText()).as(r.toString()).isEqualTo("SUCCEEDED");
            Matcher m = RESULT.matcher(r.get("exitValue").asText());
            assertThat(m.matches()).as(r.get("exitValue").asText()).isTrue();
            Set<Long> pids = new HashSet<>();
            for (String pid : m.group(2).split(",\\s*")) {
                pids.add(Long.parseLong(pid.trim()));
            }
            out.put(r.get("params").get("n").asInt(), new Where(Long.parseLong(m.group(1)), pids));
        }
        return out;
    }

    private static double seconds(JsonNode doc) {
        return Duration.between(java.time.Instant.parse(doc.get("startedAt").asText()),
                java.time.Instant.parse(doc.get("endedAt").asText())).toMillis() / 1000.0;
    }

    @Test
    void aBatchOnTheClusterRunsOnTheExecutorsEqualsLocalModeAndAutoSawTwoExecutors() throws Exception {
        Process cluster = launched.fanout("on-cluster", "foreach", "dev.fanout.cli.testjobs.WhereJob", "--jars", jar.toString(),
                "--range", "n=1..8", "-p", "ms=500", "--master", master, "--parallelism", "auto", "--json");
        JsonNode onCluster = finish(cluster, "on-cluster", 0);
        assertThat(read("on-cluster.err"))
                .contains("fanout: parallelism auto: 2 executors x 1 core / 1 core per run = 2 parallel runs");
        Process local = launched.fanout("local", "foreach", "dev.fanout.cli.testjobs.WhereJob", "--jars", jar.toString(),
                "--range", "n=1..8", "-p", "ms=500", "--master", "local[2]", "--parallelism", "2", "--json");
        JsonNode inLocal = finish(local, "local", 0);
        System.out.printf("ClusterIT: the same 8-run batch took %.1f s on the 2-worker cluster, %.1f s in local[2]%n",
                seconds(onCluster), seconds(inLocal));

        Map<Integer, Where> c = results(onCluster);
        Map<Integer, Where> l = results(inLocal);
        assertThat(c.keySet()).hasSize(8);
        Set<Long> executorPids = new HashSet<>();
        for (int n = 1; n <= 8; n++) {
            assertThat(c.get(n).sum()).as("item %d on the cluster", n).isEqualTo(l.get(n).sum()).isEqualTo(expectedSum(n));
            assertThat(c.get(n).pids()).doesNotContain(cluster.pid());
            assertThat(l.get(n).pids()).containsExactly(local.pid()); // local mode: the driver runs the tasks
            executorPids.addAll(c.get(n).pids());
        }
        assertThat(executorPids).as("tasks ran in the two executor JVMs").hasSize(2);
    }

    @Test
    void rowCallsComeFromTheExecutorProcessesNotTheDriver() throws Exception {
        try (dev.fanout.rows.TestApi api = dev.fanout.rows.TestApi.start(
                dev.fanout.rows.TestApi.Config.defaults().withLatency(Duration.ofMillis(20)))) {
            Path in = dir.resolve("rows-in.csv");
            StringBuilder csv = new StringBuilder("id\n");
            for (int i = 0; i < 300; i++) {
                csv.append(i).append('\n');
            }
            Files.writeString(in, csv);
            Process driver = launched.fanout("rows-cluster", "rows", "--input", in.toString(), "--url", api.base() + "/items/{id}",
                    "-H", "X-Caller-Pid: {@pid}", "--field", "price:double=/price", "--output", dir.resolve("rows-out.parquet").toString(),
                    "--master", master);
            Set<Long> executorPids = new HashSet<>();
            while (!driver.waitFor(100, TimeUnit.MILLISECONDS)) { // executors exit with the application: note them meanwhile
                executors().forEach(h -> executorPids.add(h.pid()));
            }
            awaitExit(driver, "rows-cluster", 0);
            assertThat(read("rows-cluster.err")).contains("rows: 300 of 300").contains("300 with a result, 0 in error");
            Map<String, Long> byPid = api.callsByPid();
            assertThat(byPid.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(300);
            assertThat(byPid).doesNotContainKey(Long.toString(driver.pid()));
            assertThat(byPid.keySet()).as("calls came from both executor JVMs").hasSize(2)
                    .allSatisfy(pid -> assertThat(executorPids).contains(Long.parseLong(pid)));
        }
    }

    @Test
    void anExecutorKilledMidBatchIsSurvivedWithEveryItemCorrect() throws Exception {
        Process driver = launched.fanout("executor-loss", "foreach", "dev.fanout.cli.testjobs.WhereJob", "--jars", jar.toString(),
                "--range", "n=1..10", "-p", "ms=1500", "--master", master, "--parallelism", "auto", "--json");
        Path history = dir.resolve("executor-loss-history.db");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        long done = 0;
        while (System.nanoTime() < deadline && driver.isAlive() && done < 2) {
            Thread.sleep(300);
            if (Files.exists(history)) {
                try (HistoryStore store = HistoryStore.sqlite(history)) {
                    var batches = store.batches(1);
                    done = batches.isEmpty() ? 0 : batches.get(0).counts().get(ItemState.SUCCEEDED);
                }
            }
        }
        assertThat(done).as(read("executor-loss.err")).isGreaterThanOrEqualTo(2);
        List<ProcessHandle> executors = executors();
        assertThat(executors).as("executor JVMs").isNotEmpty();
        ProcessHandle victim = executors.get(0);
        new ProcessBuilder("kill", "-9", Long.toString(victim.pid())).inheritIO().start().waitFor();
        JsonNode doc = finish(driver, "executor-loss", 0);
        Map<Integer, Where> r = results(doc);
        assertThat(r.keySet()).hasSize(10);
        for (int n = 1; n <= 10; n++) {
            assertThat(r.get(n).sum()).as("item %d", n).isEqualTo(expectedSum(n));
        }
        assertThat(read("executor-loss.err")).contains("parallelism auto: now");
    }

    @Test
    void aTimedOutRunsTasksStopOnTheExecutorsWithinSeconds() throws Exception {
        Path beats = Files.createDirectories(dir.resolve("beats"));
        Path items = dir.resolve("timeout-items.jsonl");
        // Item 0 holds two executor cores until it is cancelled at the deadline; the others wait on the driver, each
        // within the deadline, and keep the application (and its executors) up for a while after that.
        Files.writeString(items, "{\"dir\": \"" + beats + "\"}\n{\"driverMs\": \"7000\"}\n{\"driverMs\": \"7500\"}\n"
                + "{\"driverMs\": \"7500\"}\n");
        Process driver = launched.fanout("timeout", "foreach", "dev.fanout.cli.testjobs.HeartbeatTaskJob", "--jars", jar.toString(),
                // auto waits for the new application's executors before the first run, so the deadline counts task time
                "--items", items.toString(), "--master", master, "--parallelism", "auto", "--timeout", "8s");
        Path history = dir.resolve("timeout-history.db");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        ItemRecord timedOut = null;
        while (System.nanoTime() < deadline && driver.isAlive() && timedOut == null) {
            Thread.sleep(200);
            if (Files.exists(history)) {
                try (HistoryStore store = HistoryStore.sqlite(history)) {
                    var batches = store.batches(1);
                    if (!batches.isEmpty()) {
                        timedOut = store.items(batches.get(0).id()).stream()
                                .filter(i -> i.state() == ItemState.TIMED_OUT).findFirst().orElse(null);
                    }
                }
            }
        }
        assertThat(timedOut).as("the run timed out while the batch goes on; %s", read("timeout.err")).isNotNull();
        assertThat(driver.isAlive()).as("the other run keeps the application up").isTrue();
        // The tasks wrote their heartbeat every 100 ms on the executors: both files must have stopped changing.
        long deadlineAt = timedOut.run().attempts().get(0).startedAt().toEpochMilli() + 8_000;
        Map<Path, String> first = snapshot(beats);
        // Both tasks start when both executors are there; on a loaded machine the second may register late.
        assertThat(first).as("the run's tasks had started on the executors").isNotEmpty();
        Thread.sleep(1500);
        assertThat(snapshot(beats)).as("no task still beating 1.5 s later").isEqualTo(first);
        for (String beat : first.values()) {
            long last = Long.parseLong(beat.trim());
            assertThat(last - deadlineAt).as("tasks stopped within seconds of the deadline (ms after it)").isLessThan(5_000);
        }
        assertThat(executors()).as("killing the tasks did not take the executors down").isNotEmpty();
        awaitExit(driver, "timeout", 1);
        assertThat(read("timeout.err")).contains("3 succeeded, 0 failed, 1 timed out");
    }

    @Test
    void theSparkSubmitJarRunsABatchOnTheClusterWithTheClustersOwnSpark() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Path app;
        try (var files = Files.list(target)) {
            app = files.filter(f -> f.getFileName().toString().endsWith("-spark.jar")).findFirst().orElseThrow();
        }
        // Nothing in the jar that a cluster's Spark already has (and could clash with it).
        try (var zip = new java.util.zip.ZipFile(app.toFile())) {
            List<String> foreign = zip.stream().map(java.util.zip.ZipEntry::getName).filter(n -> n.endsWith(".class"))
                    .map(n -> n.replaceFirst("^META-INF/versions/\\d+/", ""))
                    .filter(n -> !(n.startsWith("dev/fanout/") || n.startsWith("picocli/") || n.startsWith("org/sqlite/")))
                    .toList();
            assertThat(foreign).as("classes other than fanout, picocli and sqlite-jdbc").isEmpty();
        }
        // "The cluster's own Spark": Spark, Delta and their dependencies, without fanout's own jars.
        String sparkJars = java.util.Arrays.stream(Files.readString(target.resolve("classpath.txt")).trim().split(":"))
                .filter(j -> !j.contains("/dev/fanout/") && !j.contains("/info/picocli/") && !j.contains("/org/xerial/sqlite-jdbc/"))
                .collect(java.util.stream.Collectors.joining(":"));
        List<String> cmd = new ArrayList<>(List.of("java"));
        cmd.addAll(sparkJvmOptions());
        cmd.addAll(List.of("-cp", sparkJars, "org.apache.spark.deploy.SparkSubmit", "--master", master, "--deploy-mode", "client",
                "--class", "dev.fanout.cli.Main", "--conf", "spark.executor.extraClassPath=" + sparkJars,
                "--conf", "spark.driver.host=127.0.0.1", app.toString(),
                "foreach", "dev.fanout.cli.testjobs.WhereJob", "--jars", jar.toString(), "--range", "n=1..4",
                "--parallelism", "auto", "--json", "--no-history"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = launched.start("submit", pb);
        JsonNode doc = finish(p, "submit", 0);
        assertThat(read("submit.err")).contains("parallelism auto: 2 executors x 1 core / 1 core per run = 2 parallel runs");
        Map<Integer, Where> r = results(doc);
        assertThat(r.keySet()).hasSize(4);
        for (int n = 1; n <= 4; n++) {
            assertThat(r.get(n).sum()).isEqualTo(expectedSum(n));
            assertThat(r.get(n).pids()).doesNotContain(p.pid());
        }
    }

    @Test
    void aDriverProgramBuildsFanoutAfterItsExecutorsRegisteredAndUsesTheWholeLibrary() throws Exception {
        // A plain SparkSession that fanout did not build, executors registered before fanout exists, the public API only:
        // how a notebook on a long-running cluster uses fanout (dev.fanout.examples.driver.DriverProgram).
        Path work = Files.createDirectories(dir.resolve("driver-program"));
        String classpath = Files.readString(Path.of("target").toAbsolutePath().resolve("classpath.txt")).trim();
        List<String> cmd = new ArrayList<>(List.of("java"));
        cmd.addAll(sparkJvmOptions());
        // This cluster's workers have no Spark of their own (bin/local-cluster): its executors get the driver's classpath,
        // as a spark.* system property that SparkConf reads, without the program knowing.
        cmd.addAll(List.of("-Dspark.executor.extraClassPath=" + absolute(classpath), "-cp", classpath,
                "dev.fanout.examples.driver.DriverProgram", master, work.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = launched.start("driver-program", pb);
        JsonNode doc = finish(p, "driver-program", 0);
        System.out.println("ClusterIT: driver program saw " + doc);
        assertThat(doc.get("executors").asInt()).as("executors registered before fanout was built").isEqualTo(2);
        assertThat(doc.get("parallelism").asText()).isEqualTo("2 executors x 1 core / 1 core per run = 2 parallel runs");
        assertThat(doc.get("maxInFlight").asInt()).as("runs at once, measured inside the jobs").isEqualTo(2);
        assertThat(doc.get("firstParallelism").asInt()).as("BatchResult.parallelism(): what ran").isEqualTo(2);
        assertThat(doc.get("firstFailed").toString()).isEqualTo("[\"2\",\"5\"]");
        assertThat(doc.get("resumedBatchId").asText()).isEqualTo(doc.get("batchId").asText());
        assertThat(doc.get("resumed").toString()).as("indices run again").isEqualTo("[1,4]");
        assertThat(doc.get("rerun").toString()).as("items the job saw again").isEqualTo("[2,5]");
        assertThat(doc.get("resumedOutcomes").toString()).isEqualTo("[\"SUCCEEDED\",\"SUCCEEDED\"]");
        try (HistoryStore store = HistoryStore.sqlite(work.resolve("history.db"))) {
            BatchRecord b = store.require(doc.get("batchId").asText());
            assertThat(b.executions()).hasSize(2);
            assertThat(b.counts().get(ItemState.SUCCEEDED)).isEqualTo(6);
            assertThat(b.spec().params()).containsEntry("api_token", "***");
        }
        String html = Files.readString(Path.of(doc.get("report").asText()));
        assertThat(html).contains(doc.get("batchId").asText()).doesNotContain("tok-12345678");
    }

    /** A classpath with every entry absolute: executors run in the workers' work directories. */
    private static String absolute(String classpath) {
        return java.util.Arrays.stream(classpath.split(java.io.File.pathSeparator)).filter(e -> !e.isBlank())
                .map(e -> Path.of(e).toAbsolutePath().normalize().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    /** The module options bin/fanout gives the JVM (one list, read from the launcher). */
    private static List<String> sparkJvmOptions() throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Launched.LAUNCHER)) {
            String t = line.trim();
            if (t.startsWith("-XX:+IgnoreUnrecognizedVMOptions") || t.startsWith("--add-opens=") || t.startsWith("-Djdk.reflect")) {
                out.add(t);
            }
        }
        assertThat(out).hasSizeGreaterThan(10);
        return out;
    }

    private static Map<Path, String> snapshot(Path beats) throws IOException {
        Map<Path, String> out = new HashMap<>();
        try (var files = Files.list(beats)) {
            for (Path f : files.toList()) {
                out.put(f, Files.readString(f));
            }
        }
        return out;
    }
}
