package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class ParametersAndPoliciesTest {
    enum Mode { FULL, INCREMENTAL }

    private static JobContext context(Map<String, String> params) {
        return new JobContext() {
            @Override
            public SparkSession spark() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Map<String, String> params() {
                return params;
            }

            @Override
            public String runId() {
                return "r";
            }

            @Override
            public int attempt() {
                return 1;
            }
        };
    }

    @Test
    void typedAccessorsParseRequiredOptionalAndDefaultParameters() {
        JobContext ctx = context(Map.of("day", "2024-02-29", "n", "42", "big", "9000000000", "ratio", "0.5",
                "dry", "TRUE", "wait", "1h30m", "mode", "incremental"));
        assertThat(ctx.get("day", ParamType.DATE)).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(ctx.get("n", ParamType.INT)).isEqualTo(42);
        assertThat(ctx.get("big", ParamType.LONG)).isEqualTo(9_000_000_000L);
        assertThat(ctx.get("ratio", ParamType.DOUBLE)).isEqualTo(0.5);
        assertThat(ctx.get("dry", ParamType.BOOLEAN)).isTrue();
        assertThat(ctx.get("wait", ParamType.DURATION)).isEqualTo(Duration.ofMinutes(90));
        assertThat(ctx.get("mode", ParamType.enumOf(Mode.class))).isEqualTo(Mode.INCREMENTAL);
        assertThat(ctx.get("limit", ParamType.INT, 10)).isEqualTo(10);
        assertThat(ctx.find("limit", ParamType.INT)).isEmpty();
        assertThat(ctx.find("n", ParamType.INT)).isEqualTo(Optional.of(42));
        assertThat(ctx.get("day")).isEqualTo("2024-02-29");
    }

    @Test
    void aMalformedOrMissingParameterNamesTheParameterAndTheValue() {
        JobContext ctx = context(Map.of("n", "4x2", "dry", "maybe", "mode", "weekly", "ratio", "NaN"));
        assertThatThrownBy(() -> ctx.get("n", ParamType.INT)).isInstanceOf(BadParameterException.class)
                .hasMessage("parameter 'n' must be an integer, got '4x2'");
        assertThatThrownBy(() -> ctx.get("n", ParamType.INT, 5)).hasMessageContaining("'4x2'");
        assertThatThrownBy(() -> ctx.get("dry", ParamType.BOOLEAN)).hasMessage("parameter 'dry' must be true or false, got 'maybe'");
        assertThatThrownBy(() -> ctx.get("mode", ParamType.enumOf(Mode.class)))
                .hasMessage("parameter 'mode' must be one of [FULL, INCREMENTAL], got 'weekly'");
        assertThatThrownBy(() -> ctx.get("ratio", ParamType.DOUBLE)).hasMessageContaining("finite number");
        assertThatThrownBy(() -> ctx.get("day", ParamType.DATE)).isInstanceOf(BadParameterException.class)
                .hasMessage("missing required parameter 'day' (parameters given: dry, mode, n, ratio)")
                .satisfies(e -> assertThat(((BadParameterException) e).parameter()).isEqualTo("day"));
    }

    @Test
    void durationsAsPeopleWriteThem() {
        assertThat(DurationFormat.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationFormat.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(DurationFormat.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DurationFormat.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(DurationFormat.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationFormat.parse("PT5M")).isEqualTo(Duration.ofMinutes(5));
        for (String bad : new String[] {"", "10", "ten minutes", "5x", "-5s", "PTX"}) {
            assertThatThrownBy(() -> DurationFormat.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("'" + bad + "' is not a duration");
        }
        assertThat(DurationFormat.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(DurationFormat.format(Duration.ofSeconds(185))).isEqualTo("3m05s");
    }

    @Test
    void backoffGrowsExponentiallyIsCappedAndJittered() {
        RetryPolicy p = RetryPolicy.builder().maxAttempts(10).initialBackoff(Duration.ofSeconds(1))
                .maxBackoff(Duration.ofSeconds(10)).multiplier(2).jitter(0.5).build();
        assertThat(p.backoff(1, () -> 0.0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.backoff(2, () -> 0.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.backoff(3, () -> 0.0)).isEqualTo(Duration.ofSeconds(4));
        assertThat(p.backoff(9, () -> 0.0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.backoff(3, () -> 0.999)).isBetween(Duration.ofMillis(2000), Duration.ofMillis(2010));
    }

    @Test
    void onlyRetryableFailuresAreRetried() {
        RetryPolicy p = RetryPolicy.builder().maxAttempts(3).retryOn(t -> !(t instanceof IllegalArgumentException)).build();
        assertThat(p.shouldRetry(1, new IllegalStateException("flaky"), false)).isTrue();
        assertThat(p.shouldRetry(3, new IllegalStateException("flaky"), false)).as("no attempts left").isFalse();
        assertThat(p.shouldRetry(1, new IllegalArgumentException("bad"), false)).isFalse();
        assertThat(p.shouldRetry(1, new RuntimeException("wrapped", new BadParameterException("day", "bad day")), false)).isFalse();
        assertThat(p.shouldRetry(1, null, true)).as("timeouts not retried by default").isFalse();
        assertThat(RetryPolicy.builder().maxAttempts(2).retryTimeouts(true).build().shouldRetry(1, null, true)).isTrue();
    }

    @Test
    void buildersRejectBadValuesNamingThem() {
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).hasMessage("maxAttempts must be at least 1, got 0");
        assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5)).hasMessage("jitter must be between 0 and 1, got 1.5");
        assertThatThrownBy(() -> RetryPolicy.retries(-1)).hasMessage("retries must be 0 or more, got -1");
        assertThatThrownBy(() -> Fanout.sessionBuilder(0, 1)).hasMessage("slots must be at least 1, got 0");
    }
}
