package dev.fanout.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InMemoryHistoryStoreTest extends HistoryStoreContract {
    @Override
    protected HistoryStore newStore() {
        return HistoryStore.inMemory();
    }

    @Test
    void itsLocationIsMemoryAndItRefusesUseAfterClose() {
        assertThat(store.location()).isEqualTo("memory");
        HistoryStore other = HistoryStore.inMemory();
        other.createBatch("b", "Job", SPEC, items(1), T0);
        assertThat(store.batch("b")).as("each store has its own batches").isEmpty();
        other.close();
        assertThatThrownBy(() -> other.batches(1)).isInstanceOf(HistoryException.class).hasMessageContaining("closed");
    }
}
