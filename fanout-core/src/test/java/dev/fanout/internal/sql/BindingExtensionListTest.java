package dev.fanout.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** fanout's extension goes last in {@code spark.sql.extensions}, whatever the list given: its parser must be outermost. */
class BindingExtensionListTest {
    private static final String OURS = FanoutSqlExtension.class.getName();

    @Test
    void appendedAfterTheGivenExtensions() {
        assertThat(SqlBinding.withBindingExtensionLast(null)).isEqualTo(OURS);
        assertThat(SqlBinding.withBindingExtensionLast(" ")).isEqualTo(OURS);
        assertThat(SqlBinding.withBindingExtensionLast("io.delta.sql.DeltaSparkSessionExtension"))
                .isEqualTo("io.delta.sql.DeltaSparkSessionExtension," + OURS);
    }

    @Test
    void movedToTheEndWhenListedBeforeAnother() {
        assertThat(SqlBinding.withBindingExtensionLast(OURS + ", a.B ,c.D,," + OURS)).isEqualTo("a.B,c.D," + OURS);
    }
}
