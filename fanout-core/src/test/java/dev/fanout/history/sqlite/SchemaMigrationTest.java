package dev.fanout.history.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Outcome;
import dev.fanout.Parallelism;
import dev.fanout.history.BatchRecord;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.HistoryStoreContract;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by older fanouts open with this one, and are taken to the current schema. */
class SchemaMigrationTest {
    private static final String LEGACY_BATCH = "20261130-044843-2299";

    @TempDir
    Path dir;

    /**
     * history-v1.db was written by the version 1 code: {@code fanout foreach dev.fanout.cli.sample.SampleDailyJob
     * --items items.csv -p api_token=s3cret -p region=eu --timeout 30s --retries 1 --parallelism 2} over three
     * items, the third ("not-a-day") failing.
     */
    @Test
    void aVersion1FileWrittenByTheCommandLineOpensWithItsBatchItemsAndOptionsAsASpec() throws Exception {
        Path file = dir.resolve("history.db");
        try (InputStream in = getClass().getResourceAsStream("/dev/fanout/history/history-v1.db")) {
            Files.copy(in, file);
        }
        assertThat(userVersion(file)).isEqualTo(1);
        try (HistoryStore store = HistoryStore.sqlite(file)) {
            BatchRecord b = store.require(LEGACY_BATCH);
            assertThat(b.job()).isEqualTo("SampleDailyJob");
            assertThat(b.itemCount()).isEqualTo(3);
            assertThat(b.state()).isEqualTo(ExecutionState.FAILED);
            assertThat(b.counts()).containsEntry(ItemState.SUCCEEDED, 2L).containsEntry(ItemState.FAILED, 1L)
                    .containsEntry(ItemState.PENDING, 0L);
            BatchSpec spec = b.spec();
            assertThat(spec.job()).isEqualTo("dev.fanout.cli.sample.SampleDailyJob");
            assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(30)); // stored as "30.0s", which resume could not read
            assertThat(spec.retries()).isEqualTo(1);
            assertThat(spec.parallelism()).isEqualTo(Parallelism.fixed(2));
            assertThat(spec.params()).containsEntry("api_token", "***").containsEntry("region", "eu");
            assertThat(spec.itemsSource()).isEqualTo("/tmp/legacy/items.csv");
            assertThat(spec.launch().command()).isEqualTo("foreach");
            assertThat(spec.launch().conf()).containsEntry("spark.sql.shuffle.partitions", "2");
            assertThat(b.executions()).singleElement().satisfies(e -> {
                assertThat(e.spec()).isEqualTo(spec);
                assertThat(e.state()).isEqualTo(ExecutionState.FAILED);
                assertThat(e.parallelism()).isEqualTo(2);
            });

            List<ItemRecord> items = store.items(LEGACY_BATCH);
            assertThat(items).extracting(ItemRecord::state)
                    .containsExactly(ItemState.SUCCEEDED, ItemState.SUCCEEDED, ItemState.FAILED);
            assertThat(items.get(2).params()).containsEntry("day", "not-a-day").containsEntry("api_token", "***");
            assertThat(items.get(0).run().exitValue()).contains("\"bookings\":1000");
            assertThat(items.get(2).run().error()).isNotNull();

            // a resume of the migrated batch records its runs with their own parameters
            int seq = store.startExecution(LEGACY_BATCH, spec, 1, 2, Instant.now());
            Map<String, String> fixed = new LinkedHashMap<>(items.get(2).params());
            fixed.put("day", "2024-01-03");
            store.recordRun(LEGACY_BATCH, seq, HistoryStoreContract.run(LEGACY_BATCH, 2, fixed, Outcome.SUCCEEDED, 1, 0));
            store.endExecution(LEGACY_BATCH, seq, ExecutionState.SUCCEEDED, Instant.now());
            assertThat(store.items(LEGACY_BATCH).get(2).params()).containsEntry("day", "2024-01-03");
            assertThat(store.require(LEGACY_BATCH).state()).isEqualTo(ExecutionState.SUCCEEDED);
        }
        assertThat(userVersion(file)).isEqualTo(Schema.LATEST);
        try (HistoryStore again = HistoryStore.sqlite(file)) {
            assertThat(again.require(LEGACY_BATCH).spec().timeout()).isEqualTo(Duration.ofSeconds(30));
        }
    }

    @Test
    void aVersion1BatchWhoseOptionsAreNotTheCommandLinesDocumentStillOpensWithWhatItsRowSays() throws Exception {
        Path file = dir.resolve("library.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            Schema.STEPS.get(0).apply(c);
            st.execute("PRAGMA application_id = " + Schema.APPLICATION_ID);
            st.execute("PRAGMA user_version = 1");
            st.execute("INSERT INTO batch VALUES ('lib', 'MyJob', '{}', 'my list', 1, 0)");
            st.execute("INSERT INTO item VALUES ('lib', 0, '{\"n\":\"1\"}')");
            st.execute("INSERT INTO execution VALUES ('lib', 1, 'SUCCEEDED', 3, 3, 'not json', 'h', 1, 0, 0, 10, 10)");
        }
        try (HistoryStore store = HistoryStore.sqlite(file)) {
            BatchRecord b = store.require("lib");
            assertThat(b.spec().job()).isEqualTo("MyJob");
            assertThat(b.spec().itemsSource()).isEqualTo("my list");
            assertThat(b.spec().parallelism()).isEqualTo(Parallelism.fixed(3));
            assertThat(b.executions()).singleElement().satisfies(e -> assertThat(e.spec().job()).isEqualTo("MyJob"));
            assertThat(store.items("lib")).singleElement().satisfies(i -> assertThat(i.params()).containsEntry("n", "1"));
        }
    }

    private static int userVersion(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            return rs.getInt(1);
        }
    }
}
