package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactionTest {
    @Test
    void defaultPatternMasksTheUsualNamesInAnyCaseAndKeepsTheOrder() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("day", "2024-01-01");
        p.put("DB_PASSWORD", "hunter22");
        p.put("apiKey", "k-123456");
        p.put("clientSecret", "xyz987");
        p.put("Credentials", "c");
        p.put("table", "bookings");
        assertThat(Redaction.defaults().params(p)).containsExactly(Map.entry("day", "2024-01-01"),
                Map.entry("DB_PASSWORD", "***"), Map.entry("apiKey", "***"), Map.entry("clientSecret", "***"),
                Map.entry("Credentials", "***"), Map.entry("table", "bookings"));
    }

    @Test
    void secretValuesAreMaskedInsideFreeText() {
        Map<String, String> p = Map.of("token", "abcd-efgh", "day", "2024-01-01");
        String text = "GET https://api/x?token=abcd-efgh failed for 2024-01-01";
        assertThat(Redaction.defaults().scrub(text, p)).isEqualTo("GET https://api/x?token=*** failed for 2024-01-01");
    }

    @Test
    void aCustomPatternReplacesTheDefaultAndABadOneIsNamed() {
        Redaction r = Redaction.of("(?i)^pin$");
        assertThat(r.params(Map.of("pin", "1234", "password", "x"))).containsEntry("pin", "***").containsEntry("password", "x");
        assertThatThrownBy(() -> Redaction.of("(unclosed")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'(unclosed'");
        assertThat(Redaction.none().params(Map.of("password", "x"))).containsEntry("password", "x");
    }
}
