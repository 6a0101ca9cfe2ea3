package dev.ferry.steps.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A {@link SlotMap} filled in order is, as a map and to templates, the LinkedHashMap filled the same way. */
class SlotMapTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 3, 9);
  private static final List<String> NAMES = List.of("a", "b", "c");
  private static final List<Object> VALUES = List.of("x \"1\"", new ArrayList<>(List.of("p")), 3L);
  private static final List<String> TEMPLATES = List.of("{{ vars }}", "{{ vars.a }}", "{{ vars.b[0] }}",
      "{{ vars.c }}", "{{ vars.nope }}", "{{ length(vars) }}", "{{ keys(vars) }}", "{{ values(vars) }}",
      "{{ json(vars) }}", "{{ vars['b'] }}", "a={{ vars.a }} c={{ vars.c }} all={{ vars }}", "{{ vars == vars }}");

  @Test
  void filledInOrderItIsTheLinkedHashMapFilledSo() {
    SlotMap.Names names = new SlotMap.Names(NAMES);
    SlotMap slots = new SlotMap(names);
    Map<String, Object> linked = new LinkedHashMap<>();
    for (int filled = 0; filled <= NAMES.size(); filled++) {
      assertThat(slots).isEqualTo(linked);
      assertThat(slots.hashCode()).isEqualTo(linked.hashCode());
      assertThat(slots.toString()).isEqualTo(linked.toString());
      assertThat(new ArrayList<>(slots.keySet())).isEqualTo(new ArrayList<>(linked.keySet()));
      assertThat(JsonText.write(slots)).isEqualTo(JsonText.write(linked));
      for (String n : List.of("a", "b", "c", "d")) {
        assertThat(slots.get(n)).isEqualTo(linked.get(n));
        assertThat(slots.containsKey(n)).isEqualTo(linked.containsKey(n));
      }
      RenderContext overSlots = RenderContext.empty().withVars(slots);
      RenderContext overLinked = RenderContext.empty().withVars(linked);
      for (String text : TEMPLATES) {
        Template t = Template.parse(text, AT);
        assertThat(t.render(overSlots)).as(text + " with " + filled + " filled").isEqualTo(t.render(overLinked));
      }
      if (filled < NAMES.size()) {
        slots.fill(VALUES.get(filled));
        linked.put(NAMES.get(filled), VALUES.get(filled));
      }
    }
    assertThatThrownBy(() -> slots.fill("more")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> slots.put("a", "y")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aCompiledReadFollowsTheNamesOfEachMap() {
    SlotMap first = new SlotMap(new SlotMap.Names(List.of("a", "b")));
    first.fill("1");
    first.fill("2");
    SlotMap other = new SlotMap(new SlotMap.Names(List.of("b", "z")));
    other.fill("B");
    Template t = Template.parse("{{ vars.b }}", AT);
    for (int i = 0; i < 3; i++) { // the remembered slot is the one of the map at hand, each time
      assertThat(t.render(RenderContext.empty().withVars(first))).isEqualTo("2");
      assertThat(t.render(RenderContext.empty().withVars(other))).isEqualTo("B");
      assertThat(Template.parse("{{ vars.z }}", AT).render(RenderContext.empty().withVars(other))).isNull();
    }
  }
}
