package dev.fanout.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Parallelism;
import org.junit.jupiter.api.Test;

class ClusterSizingTest {
    private static final Cluster.Capacity TWO_BY_FOUR = Cluster.Capacity.executors("spark://m:7077", 2, 8);

    @Test
    void autoIsCoresPerCoresPerRunOrExecutorsPerExecutorsPerRunCappedAndAtLeastOne() {
        assertThat(ClusterSizing.limit(Parallelism.auto(), TWO_BY_FOUR)).isEqualTo(8);
        assertThat(ClusterSizing.limit(Parallelism.auto().coresPerRun(3), TWO_BY_FOUR)).isEqualTo(2);
        assertThat(ClusterSizing.limit(Parallelism.auto().executorsPerRun(1), TWO_BY_FOUR)).isEqualTo(2);
        assertThat(ClusterSizing.limit(Parallelism.auto().max(5), TWO_BY_FOUR)).isEqualTo(5);
        assertThat(ClusterSizing.limit(Parallelism.auto(), Cluster.Capacity.executors("m", 0, 0))).isEqualTo(1);
        assertThat(ClusterSizing.limit(Parallelism.auto().coresPerRun(2), Cluster.Capacity.local("local[4]", 4))).isEqualTo(2);
        assertThat(ClusterSizing.limit(Parallelism.fixed(7), TWO_BY_FOUR)).isEqualTo(7);
    }

    @Test
    void theExplanationShowsTheArithmetic() {
        assertThat(ClusterSizing.explainLimit(Parallelism.auto(), TWO_BY_FOUR))
                .isEqualTo("2 executors x 4 cores / 1 core per run = 8 parallel runs");
        assertThat(ClusterSizing.explainLimit(Parallelism.auto().max(5), TWO_BY_FOUR))
                .isEqualTo("2 executors x 4 cores / 1 core per run = 8 parallel runs (capped at 5)");
        assertThat(ClusterSizing.explainLimit(Parallelism.auto(), Cluster.Capacity.executors("m", 2, 5)))
                .isEqualTo("2 executors x 5 cores in all / 1 core per run = 5 parallel runs");
        assertThat(ClusterSizing.explainLimit(Parallelism.auto().executorsPerRun(3), TWO_BY_FOUR))
                .isEqualTo("2 executors / 3 executors per run = 1 parallel run (at least 1)");
        assertThat(ClusterSizing.explainLimit(Parallelism.auto(), Cluster.Capacity.local("local[4]", 4)))
                .isEqualTo("local mode (local[4]): 4 cores / 1 core per run = 4 parallel runs");
        assertThat(ClusterSizing.explainLimit(Parallelism.fixed(1), null)).isEqualTo("1 parallel run (fixed)");
    }
}
