package dev.ferry.steps.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code json_parse} with a row's memo answers as without it: the same values and the same errors. */
class JsonParseMemoTest {
  private static final SpecLocation AT = new SpecLocation("spec.yaml", 3, 5);

  @Test
  void aRowsContextsShareTheParsedText() {
    // Given templates that parse row.metadata several times, and rows of several shapes
    List<String> templates = List.of("{{ json_parse(row.metadata) }}", "{{ length(json_parse(row.metadata)) }}",
        "{{ keys(json_parse(row.metadata)) }}", "{{ json(values(json_parse(row.metadata))) }}",
        "{{ json_parse(row.other) }}", "{{ json_parse(row.metadata) != null && json_parse(row.other) == null }}");
    List<Object> metadata = List.of("{\"a\":\"1\",\"b\":\"2\"}", " {\"a\":\"1\"} ", "", "  ", "[1,2]", "7", "null");
    for (Object m : metadata) {
      Map<String, Object> row = new HashMap<>();
      row.put("metadata", m);
      row.put("other", "{\"x\":true}");
      RenderContext.RowMemo memo = new RenderContext.RowMemo();
      RenderContext with = RenderContext.of(row, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), memo);
      RenderContext without = RenderContext.of(row, Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
      for (int round = 0; round < 2; round++) {
        for (String t : templates) {
          // When rendered with the memo (twice over) and without
          Template template = Template.parse(t, AT);
          // Then the values (or the errors) are the same
          assertThat(outcome(template, with)).as("%s on %s", t, m).isEqualTo(outcome(template, without));
        }
      }
    }
  }

  private static Object outcome(Template t, RenderContext ctx) {
    try {
      return t.render(ctx);
    } catch (SpecException e) {
      return "error: " + e.getMessage();
    }
  }

  @Test
  void textThatIsNotJsonFailsEveryTime() {
    // Given a row whose metadata is not JSON, and a memo that saw good text first
    RenderContext.RowMemo memo = new RenderContext.RowMemo();
    Template parse = Template.parse("{{ json_parse(row.metadata) }}", AT);
    parse.render(RenderContext.of(Map.of("metadata", "{}"), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), memo));
    RenderContext bad = RenderContext.of(Map.of("metadata", "{x"), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(),
        memo);
    // When / Then it fails at the call, each time, as without a memo
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> parse.render(bad)).isInstanceOf(SpecException.class)
          .hasMessageContaining("json_parse(...): the text is not JSON").hasMessageContaining("spec.yaml:3:");
    }
  }
}
