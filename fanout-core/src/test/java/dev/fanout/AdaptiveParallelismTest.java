package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.internal.engine.Cluster;
import dev.fanout.internal.engine.ClusterSizing;
import org.junit.jupiter.api.Test;

/** {@code Parallelism.adaptive()}: its bounds, where it starts, and its text as the history and the command line spell it. */
class AdaptiveParallelismTest {
    @Test
    void startsAtTheClustersCoresWithinItsBounds() {
        Cluster.Capacity four = Cluster.Capacity.executors("spark://x", 2, 4);
        assertThat(ClusterSizing.limit(Parallelism.adaptive(), four)).isEqualTo(4);
        assertThat(ClusterSizing.limit(Parallelism.adaptive().max(3), four)).isEqualTo(3);
        assertThat(ClusterSizing.limit(Parallelism.adaptive().min(6), four)).isEqualTo(6);
        assertThat(ClusterSizing.limit(Parallelism.adaptive(), Cluster.Capacity.local("local[2]", 2))).isEqualTo(2);
        assertThat(Parallelism.adaptive().max()).isEqualTo(Parallelism.DEFAULT_MAX);
        assertThat(Parallelism.adaptive().dynamic()).isTrue();
    }

    @Test
    void itsTextReadsBack() {
        for (String s : new String[] {"adaptive", "adaptive(min=2)", "adaptive(max=16)", "adaptive(min=2,max=16)"}) {
            assertThat(Parallelism.parse(s).spec()).isEqualTo(s);
        }
        assertThat(Parallelism.parse("adaptive:2..16")).isEqualTo(Parallelism.adaptive().min(2).max(16));
        assertThat(Parallelism.parse("adaptive:..8")).isEqualTo(Parallelism.adaptive().max(8));
        assertThat(Parallelism.parse("ADAPTIVE:3..")).isEqualTo(Parallelism.adaptive().min(3));
        assertThat(Parallelism.parse("adaptive")).isInstanceOf(Parallelism.Adaptive.class);
    }

    @Test
    void badBoundsAreRefusedNamingTheText() {
        assertThatThrownBy(() -> Parallelism.parse("adaptive:8..2")).hasMessage("parallelism 'adaptive:8..2': min 8 is above max 2");
        assertThatThrownBy(() -> Parallelism.parse("adaptive:0..4")).hasMessage("parallelism 'adaptive:0..4': min must be at least 1, got 0");
        assertThatThrownBy(() -> Parallelism.parse("adaptive(step=2)")).hasMessageContaining("unknown setting 'step' (min, max)");
        assertThatThrownBy(() -> Parallelism.parse("adaptively")).hasMessage("parallelism must be a number, 'auto' or 'adaptive', got 'adaptively'");
    }
}
