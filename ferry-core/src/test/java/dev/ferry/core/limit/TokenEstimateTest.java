package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenEstimateTest {

  @Test
  void countsFourUtf8BytesAToken() {
    assertThat(TokenEstimate.of("")).isZero();
    assertThat(TokenEstimate.of("a")).isEqualTo(1);
    assertThat(TokenEstimate.of("abcd")).isEqualTo(1);
    assertThat(TokenEstimate.of("abcde")).isEqualTo(2);
    assertThat(TokenEstimate.of("x".repeat(400))).isEqualTo(100);
    assertThat(TokenEstimate.of("日本語")).isEqualTo(3); // 9 bytes
  }

  @Test
  void theByteCountIsWhatUtf8EncodingGives() {
    for (String s : new String[] {"plain", "é à ü", "日本語のテキスト", "emoji 😀 pair", "lone \ud800 high", "end \udc00"}) {
      assertThat(TokenEstimate.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
  }
}
