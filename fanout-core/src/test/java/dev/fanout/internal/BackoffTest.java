package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The shared backoff formula, with the random draw given: no sleeping. */
class BackoffTest {
    private static final long MS = 1_000_000L;

    @Test
    void growsByTheMultiplierUpToTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), 2.0, 0.5);
        // random 0: no jitter taken off
        assertThat(b.nanos(1, 0.0)).isEqualTo(200 * MS);
        assertThat(b.nanos(2, 0.0)).isEqualTo(400 * MS);
        assertThat(b.nanos(3, 0.0)).isEqualTo(800 * MS);
        assertThat(b.nanos(6, 0.0)).isEqualTo(6400 * MS);
        assertThat(b.nanos(7, 0.0)).as("12.8s capped").isEqualTo(10_000 * MS);
        assertThat(b.nanos(5_000, 0.0)).as("far past the double range: still the cap").isEqualTo(10_000 * MS);
        assertThat(b.nanos(0, 0.0)).as("retry 0 counts as the first").isEqualTo(200 * MS);
    }

    @Test
    void jitterTakesOffAtMostItsFractionSoWaitsStayWithinBounds() {
        Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), 2.0, 0.5);
        for (int retry = 1; retry <= 10; retry++) {
            long full = b.nanos(retry, 0.0);
            for (double u : new double[] {0.0, 0.25, 0.5, 0.999_999}) {
                assertThat(b.nanos(retry, u)).isBetween(full / 2, full);
            }
            assertThat(b.nanos(retry, 0.5)).isEqualTo(Math.round(full * 0.75));
        }
        Backoff none = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.0, 0.0);
        assertThat(none.delay(3, () -> 0.9)).isEqualTo(Duration.ofSeconds(1));
        Backoff full = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 3.0, 1.0);
        assertThat(full.delay(2, () -> 0.5)).isEqualTo(Duration.ofMillis(1500));
        assertThat(full.delay(3, () -> 0.0)).as("9s capped at 8s").isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0.5))
                .hasMessageContaining("0 <= initial <= max");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0.5))
                .hasMessageContaining("multiplier");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 1.5))
                .hasMessageContaining("jitter");
    }
}
