package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.history.BatchRecord;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import dev.fanout.testing.SharedSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Everything the command line does, from a driver program: history, resume, report and secrets through the API only. */
@ExtendWith(SharedSpark.class)
class LibraryTest {
    @TempDir
    Path dir;

    /** Fails items whose {@code n} is in {@code failing}; counts the runs of each n. */
    static final class Flaky implements SparkJob {
        final Set<String> failing = ConcurrentHashMap.newKeySet();
        final Map<String, Integer> runs = new ConcurrentHashMap<>();

        @Override
        public String run(JobContext ctx) {
            String n = ctx.params().get("n");
            runs.merge(n, 1, Integer::sum);
            if (failing.contains(n)) {
                throw new IllegalStateException("item " + n + " failed with token " + ctx.params().get("api_token"));
            }
            return ctx.spark().range(Long.parseLong(n)).count() + "";
        }
    }

    @Test
    void eachForEachIsItsOwnRecordedBatchAndResumeRerunsExactlyWhatFailed(SparkSession spark) throws Exception {
        Flaky job = new Flaky();
        job.failing.addAll(Set.of("2", "5"));
        try (Fanout fanout = Fanout.builder(spark).parallelism(2).history(dir.resolve("history.db"))
                .secrets(Pattern.compile("(?i)token")).build()) {
            BatchResult first = fanout.forEach(job, Items.withConstants(Items.range("n", 1, 6), Map.of("api_token", "tok-9876543")));
            assertThat(first.runs()).extracting(r -> r.outcome()).containsExactly(Outcome.SUCCEEDED, Outcome.FAILED,
                    Outcome.SUCCEEDED, Outcome.SUCCEEDED, Outcome.FAILED, Outcome.SUCCEEDED);
            // A second batch on the same Fanout is a batch of its own: it must not mark batch one's items.
            BatchResult other = fanout.forEach(job, Items.range("n", 1, 2));
            assertThat(other.batchId()).isNotEqualTo(first.batchId());

            HistoryStore store = fanout.history();
            BatchRecord recorded = store.batch(first.batchId()).orElseThrow();
            assertThat(recorded.itemCount()).isEqualTo(6);
            assertThat(recorded.counts().get(ItemState.FAILED)).isEqualTo(2);
            assertThat(recorded.spec().params()).containsEntry("api_token", Redaction.MASK);
            assertThat(recorded.spec().parallelism()).isEqualTo(Parallelism.fixed(2));

            job.failing.clear();
            job.runs.clear();
            BatchResult again = fanout.resume(job, first.batchId(), Map.of("api_token", "tok-9876543"));
            assertThat(again.batchId()).isEqualTo(first.batchId());
            assertThat(again.runs()).extracting(RunResult::index).containsExactly(1, 4);
            assertThat(job.runs).containsOnlyKeys("2", "5");
            BatchRecord after = store.batch(first.batchId()).orElseThrow();
            assertThat(after.executions()).hasSize(2);
            assertThat(after.state()).isEqualTo(ExecutionState.SUCCEEDED);
            assertThat(store.items(first.batchId())).extracting(ItemRecord::state).containsOnly(ItemState.SUCCEEDED);

            BatchResult nothing = fanout.resume(job, first.batchId(), Map.of("api_token", "x"));
            assertThat(nothing.runs()).isEmpty();
            assertThat(job.runs).containsOnlyKeys("2", "5");

            Path report = dir.resolve("report.html");
            fanout.report(first.batchId(), report);
            String html = Files.readString(report, StandardCharsets.UTF_8);
            assertThat(html).contains(first.batchId()).doesNotContain("tok-9876543");
        }
        byte[] raw = Files.readAllBytes(dir.resolve("history.db"));
        assertThat(new String(raw, StandardCharsets.ISO_8859_1)).doesNotContain("tok-9876543");
    }

    @Test
    void resumeRefusesAMaskedSecretNotGivenAgainAnotherJobsBatchAndAnUnknownBatch(SparkSession spark) {
        Flaky job = new Flaky();
        job.failing.add("1");
        HistoryStore store = HistoryStore.inMemory();
        Fanout fanout = Fanout.builder(spark).parallelism(2).history(store).build();
        BatchResult first = fanout.forEach(job, Items.withConstants(Items.range("n", 1, 2), Map.of("password", "hunter22")));
        assertThat(first.count(Outcome.FAILED)).isEqualTo(1);
        job.runs.clear();
        assertThatThrownBy(() -> fanout.resume(job, first.batchId())).isInstanceOf(BadInputException.class)
                .hasMessageContaining("parameter 'password'").hasMessageContaining("give it again");
        SparkJob another = ctx -> "x";
        assertThatThrownBy(() -> fanout.resume(another, first.batchId())).isInstanceOf(BadInputException.class)
                .hasMessageContaining("ran job " + job.name());
        assertThatThrownBy(() -> fanout.resume(job, "no-such-batch")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("no batch 'no-such-batch'");
        assertThat(job.runs).as("nothing ran").isEmpty();
    }

    @Test
    void withoutAHistoryResumeAndReportSayWhatIsMissing(SparkSession spark) {
        Fanout fanout = Fanout.builder(spark).parallelism(1).build();
        assertThatThrownBy(() -> fanout.resume(ctx -> "x", "b")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(".history(");
        assertThatThrownBy(() -> fanout.report("b", dir.resolve("r.html"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void itemsFromAFileWithConstantsRunAsRecordedAndAnEmptyCellLeavesTheJobsDefault(SparkSession spark) throws Exception {
        Path csv = dir.resolve("items.csv");
        Files.writeString(csv, "n,flaky\n3,\n4,true\n");
        SparkJob job = ctx -> ctx.get("flaky", ParamType.BOOLEAN, false) + ":" + ctx.params().get("n") + ":" + ctx.params().get("env");
        HistoryStore store = HistoryStore.inMemory();
        Fanout fanout = Fanout.builder(spark).parallelism(2).history(store).build();
        BatchResult r = fanout.forEach(job, Items.withConstants(Items.csv(csv), Map.of("env", "prod")));
        assertThat(r.runs()).extracting(RunResult::exitValue).containsExactly("false:3:prod", "true:4:prod");
        BatchRecord b = store.batch(r.batchId()).orElseThrow();
        assertThat(b.spec().itemsSource()).contains("items.csv");
        assertThat(b.spec().params()).containsEntry("env", "prod");
    }
}
