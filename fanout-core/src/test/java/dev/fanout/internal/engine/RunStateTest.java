package dev.fanout.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.Outcome;
import org.junit.jupiter.api.Test;

class RunStateTest {

    @Test
    void aRunMovesOnlyAlongTheTable() {
        RunState s = RunState.CLAIMED.check(RunState.RUNNING).check(RunState.RETRY_WAIT).check(RunState.RUNNING)
                .check(RunState.SUCCEEDED);
        assertThat(s.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(RunState.RETRY_WAIT.check(RunState.TIMED_OUT)).isEqualTo(RunState.TIMED_OUT);
        assertThat(RunState.UNCLAIMED.check(RunState.SKIPPED).outcome()).isEqualTo(Outcome.SKIPPED);

        assertThatThrownBy(() -> RunState.SUCCEEDED.check(RunState.RUNNING))
                .isInstanceOf(IllegalStateException.class).hasMessage("a run cannot move from SUCCEEDED to RUNNING");
        assertThatThrownBy(() -> RunState.RUNNING.check(RunState.SKIPPED)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> RunState.RETRY_WAIT.check(RunState.CANCELLED)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> RunState.CLAIMED.check(RunState.SUCCEEDED)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(RunState.RUNNING::outcome).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everyOutcomeIsAFinalStateAndBack() {
        for (Outcome o : Outcome.values()) {
            assertThat(RunState.of(o).isFinal()).isTrue();
            assertThat(RunState.of(o).outcome()).isEqualTo(o);
        }
        assertThat(RunState.values()).filteredOn(RunState::isFinal).hasSize(Outcome.values().length);
    }
}
