package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetHeadersTest {
  @Test
  void valuesAreScrubbedAndNeverShown() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Authorization", "Bearer sk-live-0123456789");
    h.put("api-key", "qdrant-key-abc");
    h.put("X-Short", "abc");
    h.put("X-Optional", "");
    TargetHeaders headers = TargetHeaders.of(h);
    assertThat(headers.names()).containsExactly("Authorization", "api-key", "X-Short");
    assertThat(headers.toString()).isEqualTo("TargetHeaders[Authorization: ***, api-key: ***, X-Short: ***]");
    assertThat(headers.scrub("echo: Authorization: Bearer sk-live-0123456789, key sk-live-0123456789, "
        + "api-key qdrant-key-abc"))
        .isEqualTo("echo: Authorization: Bearer ***, key ***, api-key ***");
    assertThat(headers.occursIn("... qdrant-key-abc ...")).isTrue();
    assertThat(TargetHeaders.bearer(Secret.of("sk_test_abcdefgh")).scrub("Bearer sk_test_abcdefgh"))
        .isEqualTo("Bearer ***");
  }

  @Test
  void malformedHeadersAreRefusedWithoutShowingTheValue() {
    assertThatThrownBy(() -> TargetHeaders.of(Map.of("Bad Name", "x"))).hasMessageContaining("'Bad Name'");
    assertThatThrownBy(() -> TargetHeaders.of(Map.of("X-Key", "secret\r\nInjected: 1")))
        .hasMessage("the value of header 'X-Key' holds a line break");
  }
}
