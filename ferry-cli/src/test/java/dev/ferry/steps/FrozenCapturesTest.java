package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An Ok's captures are a read-only copy in the given order (nulls kept), made once however often it is re-noted. */
class FrozenCapturesTest {
  @Test
  void anOksCapturesAreAReadOnlyOrderedCopyMadeOnce() {
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("z", "1");
    source.put("id", null);
    source.put("a", Map.of("k", "v"));
    StepResult.Ok ok = new StepResult.Ok(source, 201, "", "req_1");
    Map<String, Object> expected = new LinkedHashMap<>(source);
    source.put("later", "x"); // the caller's map changes: the Ok's does not
    assertThat(ok.captures()).isEqualTo(expected);
    assertThat(new ArrayList<>(ok.captures().keySet())).containsExactly("z", "id", "a");
    assertThat(ok.captures().containsKey("id")).isTrue();
    assertThat(ok.captures().get("id")).isNull();
    assertThat(ok.captures().hashCode()).isEqualTo(expected.hashCode());
    assertThat(ok.captures().toString()).isEqualTo(expected.toString());
    assertThat(Json.write(ok.captures())).isEqualTo(Json.write(expected));
    assertThatThrownBy(() -> ok.captures().put("b", "2")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ok.captures().remove("z")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ok.captures().entrySet().iterator().next().setValue("y"))
        .isInstanceOf(UnsupportedOperationException.class);
    StepResult.Ok cached = new StepResult.Ok(ok.captures(), ok.status(), "cached", ok.requestId());
    assertThat(cached.captures()).isSameAs(ok.captures()); // no copy of a copy
    Map<String, Object> plain = new HashMap<>(Map.of("id", "u1"));
    assertThat(new StepResult.Ok(plain, 200, "", "").captures()).isNotSameAs(plain).isEqualTo(plain);
  }
}
