package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretMaskTest {
  static final String SECRET = "tok\"en\\/\u00e9&a b\n";

  @Test
  void masksTheValueAsItIsJsonEscapedAndUrlEncoded() throws Exception {
    SecretMask m = SecretMask.of(List.of(SECRET));
    String jackson = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(SECRET);
    assertThat(m.mask("raw " + SECRET + " end")).isEqualTo("raw *** end");
    assertThat(m.mask("{\"a\":" + jackson + "}")).isEqualTo("{\"a\":\"***\"}");
    assertThat(m.mask("strict tok\\\"en\\\\\\/\\u00e9&a b\\n")).isEqualTo("strict ***");
    assertThat(m.mask("upper tok\\\"en\\\\\\/\\u00E9&a b\\n")).isEqualTo("upper ***");
    String form = URLEncoder.encode(SECRET, StandardCharsets.UTF_8);
    assertThat(m.mask("?t=" + form + "&x=1")).isEqualTo("?t=***&x=1");
    assertThat(m.mask("?t=" + form.replace("+", "%20"))).isEqualTo("?t=***");
    assertThat(m.occursIn("x" + form)).isTrue();
    assertThat(m.occursIn("tok")).isFalse();
  }

  @Test
  void shortValuesAndNullsAreNotMaskedAndNoneMasksNothing() {
    assertThat(SecretMask.of(List.of("abc", "")).isEmpty()).isTrue();
    assertThat(SecretMask.NONE.mask("abcd")).isEqualTo("abcd");
    assertThat(SecretMask.of(List.of("abcd")).mask(null)).isNull();
    SecretMask both = SecretMask.of(List.of("abcd")).and(List.of("wxyz"));
    assertThat(both.mask("abcd-wxyz")).isEqualTo("***-***");
    assertThat(both.toString()).doesNotContain("abcd");
  }
}
