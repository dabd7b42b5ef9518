package dev.fanout.examples.airline;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.BadInputException;
import dev.fanout.Jobs;
import dev.fanout.SparkJob;
import dev.fanout.testing.SharedSpark;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code sql/daily_metrics.sql} splits, parses under Delta's extension and names what it needs (no binding involved). */
@ExtendWith(SharedSpark.class)
class DailyMetricsSqlCheckTest {
    @Test
    void theFileParsesAndNeedsDayAndWarehouse(SparkSession spark) {
        SparkJob job = Jobs.sql(DailyMetricsSqlTest.SQL);
        assertThatCode(() -> job.check(List.of(Map.of("day", "2026-03-01", "warehouse", "/data")), spark)).doesNotThrowAnyException();
        assertThatThrownBy(() -> job.check(List.of(Map.of("day", "2026-03-01")), spark)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("daily_metrics.sql: parameter 'warehouse' (first used in statement 1, line 7)");
    }
}
