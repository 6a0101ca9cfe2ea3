package dev.ferry.steps.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonPathTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 3, 20);
  private static final Object ANSWER = Map.of("data", List.of(Map.of("id", "c_1", "index", 0),
      Map.of("id", "c_2", "index", 1)), "odd key", Map.of("x", 1));

  @Test
  void readsNamesIndexesAndQuotedNames() {
    assertThat(JsonPath.parse("$.data[0].id", AT).read(ANSWER)).isEqualTo("c_1");
    assertThat(JsonPath.parse("$.data[-1].id", AT).read(ANSWER)).isEqualTo("c_2");
    assertThat(JsonPath.parse("$['odd key'].x", AT).read(ANSWER)).isEqualTo(1);
    assertThat(JsonPath.parse("$", AT).read(ANSWER)).isSameAs(ANSWER);
  }

  @Test
  void anAbsentPathIsNull() {
    assertThat(JsonPath.parse("$.data[5].id", AT).read(ANSWER)).isNull();
    assertThat(JsonPath.parse("$.nope.id", AT).read(ANSWER)).isNull();
    assertThat(JsonPath.parse("$.data.id", AT).read(ANSWER)).isNull();
    assertThat(JsonPath.parse("$.data[0]", AT).read("not json")).isNull();
  }

  @Test
  void malformedPathsNameTheColumn() {
    assertThatThrownBy(() -> JsonPath.parse("data[0]", AT)).isInstanceOf(SpecException.class)
        .hasMessageStartingWith("job.yaml:3:20: a path starts with $");
    assertThatThrownBy(() -> JsonPath.parse("$.data[x]", AT))
        .hasMessageStartingWith("job.yaml:3:27: expected an index or a quoted name");
    assertThatThrownBy(() -> JsonPath.parse("$.data[0", AT)).hasMessageContaining("unclosed '['");
    assertThatThrownBy(() -> JsonPath.parse("$..id", AT)).hasMessageContaining("expected a field name after '.'");
  }
}
