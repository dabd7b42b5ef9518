package dev.fanout.internal.history;

import dev.fanout.history.BatchRecord;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryException;
import dev.fanout.history.HistoryStore;
import dev.fanout.history.ItemRecord;
import dev.fanout.history.ItemState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.BatchResult;
import dev.fanout.Outcome;
import dev.fanout.Redaction;
import dev.fanout.history.HistoryStoreContract;
import dev.fanout.RunResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryRecorderTest {
    @Test
    void recordsTheBatchItsRunsAndItsEndWithSecretsMasked() {
        try (HistoryStore store = HistoryStore.inMemory()) {
            Map<String, String> item = Map.of("day", "d0", "api_token", "tok-123456");
            BatchSpec spec = HistoryStoreContract.SPEC.withParams(Map.of("api_token", "tok-123456"));
            HistoryRecorder recorder = HistoryRecorder.newBatch(store, "b", "Job", spec, List.of(item, Map.of("day", "d1")),
                    Redaction.defaults(), 2, 4);
            RunResult run = HistoryStoreContract.run("b", 0, item, Outcome.FAILED, 1, 0);
            recorder.onRunEnd(new RunResult(0, run.runId(), item, Outcome.FAILED, null, run.attempts(), run.startedAt(),
                    run.endedAt(), new dev.fanout.ErrorInfo("java.io.IOException", "bad token tok-123456", "trace")));
            recorder.onBatchEnd(new BatchResult("b", "Job", 2, run.startedAt(), run.endedAt(), Map.of(Outcome.FAILED, 1L),
                    List.of(run), false));
            recorder.close();

            assertThat(recorder.failure()).isNull();
            assertThat(recorder.execution()).isEqualTo(1);
            BatchRecord b = store.require("b");
            assertThat(b.spec().params()).containsEntry("api_token", Redaction.MASK);
            assertThat(b.latest().spec().params()).containsEntry("api_token", Redaction.MASK);
            assertThat(b.state()).isEqualTo(ExecutionState.FAILED);
            assertThat(b.latest().parallelism()).isEqualTo(2);
            ItemRecord first = store.items("b").get(0);
            assertThat(first.params()).containsEntry("api_token", Redaction.MASK);
            assertThat(first.run().error().message()).isEqualTo("bad token ***");
            assertThat(store.items("b").get(1).state()).isEqualTo(ItemState.PENDING);

            HistoryRecorder again = HistoryRecorder.resume(store, "b", spec, Redaction.defaults(), 1, 4);
            again.onBatchEnd(new BatchResult("b", "Job", 1, run.startedAt(), run.endedAt(), Map.of(), List.of(), true));
            again.close();
            assertThat(again.execution()).isEqualTo(2);
            assertThat(store.require("b").state()).isEqualTo(ExecutionState.INTERRUPTED);
        }
    }

    @Test
    void aStoreThatFailsDoesNotStopTheBatchAndTheFirstFailureIsKept() {
        try (HistoryStore store = HistoryStore.inMemory()) {
            HistoryRecorder recorder = HistoryRecorder.newBatch(store, "b", "Job", HistoryStoreContract.SPEC,
                    HistoryStoreContract.items(1), Redaction.defaults(), 1, 1);
            RunResult run = HistoryStoreContract.run("b", 0, Outcome.SUCCEEDED, 1, 0);
            BatchResult end = new BatchResult("b", "Job", 1, run.startedAt(), run.endedAt(), Map.of(Outcome.SUCCEEDED, 1L),
                    List.of(run), false);
            recorder.onBatchEnd(end);
            recorder.onBatchEnd(end); // an execution ends once: the second end fails, and is only reported
            recorder.close();
            assertThat(recorder.failure()).isInstanceOf(HistoryException.class).hasMessageContaining("cannot go from SUCCEEDED");
            assertThat(store.require("b").state()).isEqualTo(ExecutionState.SUCCEEDED);
        }
    }
}
