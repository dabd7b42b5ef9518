package dev.fanout.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FailurePolicy;
import dev.fanout.Parallelism;
import dev.fanout.Redaction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchSpecTest {
    private static final BatchSpec FULL = new BatchSpec("com.example.Daily", "/data/items.csv",
            Parallelism.auto().coresPerRun(2).max(32), Duration.ofSeconds(30), 3, FailurePolicy.FAIL_FAST, "(?i)token",
            Map.of("env", "prod", "api_token", "s3cret"),
            new BatchSpec.Launch("foreach", "spark://127.0.0.1:7077", List.of("/jobs/a.jar", "/jobs/b.jar"),
                    Map.of("spark.executor.memory", "4g", "spark.auth.token", "t0ken")));

    @Test
    void everyFieldSurvivesStoreAndReadBack() {
        assertThat(BatchSpec.fromJson(FULL.toJson())).isEqualTo(FULL);
        BatchSpec minimal = new BatchSpec("Job", null, Parallelism.fixed(1), null, 0, FailurePolicy.CONTINUE, null, null, null);
        assertThat(BatchSpec.fromJson(minimal.toJson())).isEqualTo(minimal);
        for (String p : List.of("7", "auto", "auto(executorsPerRun=2)", "auto(max=8)", "auto(coresPerRun=3,max=5)")) {
            assertThat(Parallelism.parse(p).spec()).isEqualTo(p);
        }
    }

    /** The crash of `fanout resume` for a batch started with --timeout 30s: version 1 stored "30.0s". */
    @Test
    void theCommandLinesVersionOneOptionsStillRead() {
        String v1 = "{\"command\":\"foreach\",\"jobClass\":\"com.example.Daily\",\"jars\":[\"/j.jar\"],\"master\":\"local[2]\","
                + "\"conf\":{\"spark.sql.shuffle.partitions\":\"4\"},\"parallelism\":\"auto\",\"coresPerRun\":2,"
                + "\"executorsPerRun\":null,\"maxParallelism\":16,\"timeout\":\"30.0s\",\"retries\":1,\"failFast\":true,"
                + "\"params\":{\"region\":\"eu\"},\"itemsSource\":\"--range day=2024-01-01..2024-01-03\",\"secrets\":\"(?i)key\"}";
        BatchSpec s = BatchSpec.fromJson(v1);
        assertThat(s.job()).isEqualTo("com.example.Daily");
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.parallelism()).isEqualTo(Parallelism.auto().coresPerRun(2).max(16));
        assertThat(s.retries()).isEqualTo(1);
        assertThat(s.failurePolicy()).isEqualTo(FailurePolicy.FAIL_FAST);
        assertThat(s.params()).containsExactly(Map.entry("region", "eu"));
        assertThat(s.launch().master()).isEqualTo("local[2]");
        assertThat(s.launch().jars()).containsExactly("/j.jar");
        assertThat(s.secrets()).isEqualTo("(?i)key");
        for (String[] t : new String[][] {{"250ms", "PT0.25S"}, {"1m05s", "PT1M5S"}, {"2h00m", "PT2H"}, {"59.9s", "PT59.9S"}}) {
            assertThat(BatchSpec.legacyDuration(t[0])).isEqualTo(Duration.parse(t[1]));
        }
        assertThat(BatchSpec.fromJson(v1.replace("\"auto\"", "\"3\"")).parallelism()).isEqualTo(Parallelism.fixed(3));
    }

    @Test
    void maskedHidesSecretParamsAndSparkSettings() {
        BatchSpec m = FULL.masked(Redaction.of("(?i)token"));
        assertThat(m.params()).containsEntry("api_token", Redaction.MASK).containsEntry("env", "prod");
        assertThat(m.launch().conf()).containsEntry("spark.auth.token", Redaction.MASK);
        assertThat(m.toJson()).doesNotContain("s3cret").doesNotContain("t0ken");
    }

    @Test
    void unreadableOptionsNameWhatIsWrong() {
        assertThatThrownBy(() -> BatchSpec.fromJson("[1]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> BatchSpec.fromJson("{\"version\":2,\"job\":\"J\",\"parallelism\":\"many\"}"))
                .hasMessageContaining("'many'");
    }
}
