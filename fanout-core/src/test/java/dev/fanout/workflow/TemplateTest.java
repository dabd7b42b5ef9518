package dev.fanout.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TemplateTest {
    @Test
    void partsAreTextAndTheThreeKindsOfReference() {
        Template t = Template.parse("day={{ day }}/{{params.warehouse}}/{{tasks.apply.value.count}}-{{region.name}}{{tasks.a.value}}");
        assertThat(t.parts()).containsExactly(
                new Template.Text("day="), new Template.VarRef("day", Optional.empty()), new Template.Text("/"),
                new Template.ParamRef("warehouse"), new Template.Text("/"),
                new Template.TaskRef("apply", Optional.of("count")), new Template.Text("-"),
                new Template.VarRef("region", Optional.of("name")), new Template.TaskRef("a", Optional.empty()));
        assertThat(t.isLiteral()).isFalse();
        assertThat(t.references()).hasSize(5);
        assertThat(t.text()).startsWith("day={{ day }}");
    }

    @Test
    void renderPutsEachReferencesValueIn() {
        Template t = Template.parse("{{params.w}}/metrics/{{day}}");
        assertThat(t.render(r -> r instanceof Template.ParamRef ? "/data" : "2026-01-02")).isEqualTo("/data/metrics/2026-01-02");
        assertThat(Template.parse("plain {text}").isLiteral()).isTrue();
        assertThat(Template.parse("").parts()).isEmpty();
    }

    @Test
    void badReferencesAreRefusedWithTheReference() {
        assertThatThrownBy(() -> Template.parse("x {{params.a")).hasMessageContaining("'{{' without '}}'");
        assertThatThrownBy(() -> Template.parse("{{ }}")).hasMessageContaining("empty reference");
        assertThatThrownBy(() -> Template.parse("{{params}}")).hasMessageContaining("{{params}}").hasMessageContaining("{{params.NAME}}");
        assertThatThrownBy(() -> Template.parse("{{tasks.a.values}}")).hasMessageContaining("{{tasks.KEY.value}}");
        assertThatThrownBy(() -> Template.parse("{{a.b.c}}")).hasMessageContaining("'{{a.b.c}}'");
        assertThatThrownBy(() -> Template.parse("{{a..b}}")).hasMessageContaining("letters, digits");
    }
}
