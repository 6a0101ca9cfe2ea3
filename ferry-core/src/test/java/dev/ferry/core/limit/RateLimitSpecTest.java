package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RateLimitSpecTest {

  @Test
  void aNumberOrANumberPerSecondIsARate() {
    assertThat(RateLimitSpec.parse("50")).isEqualTo(RateLimitSpec.rate(50));
    assertThat(RateLimitSpec.parse(" 12.5/s ")).isEqualTo(RateLimitSpec.rate(12.5));
    assertThat(RateLimitSpec.parse("50").isBudget()).isFalse();
    assertThat(RateLimitSpec.parse("50").describe()).isEqualTo("50 req/s");
  }

  @Test
  void aCountPerWindowIsABudget() {
    RateLimitSpec workos = RateLimitSpec.parse("500/10s");
    assertThat(workos.isBudget()).isTrue();
    assertThat(workos.permits()).isEqualTo(500);
    assertThat(workos.window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(workos.perSecond()).isEqualTo(50.0);
    assertThat(workos.describe()).isEqualTo("500 per 10s");
    assertThat(RateLimitSpec.parse("6000/1m").perSecond()).isEqualTo(100.0);
    assertThat(RateLimitSpec.parse("5/500ms").perSecond()).isEqualTo(10.0);
    assertThat(RateLimitSpec.parse("50/1s").isBudget()).as("a window of one second is still a budget").isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "off", "0", "0/10s", "NONE"})
  void noneAndZeroMeanNoLimit(String text) {
    assertThat(RateLimitSpec.parse(text).isNone()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"50", "12.5", "500/10s", "6000/1m", "5/500ms", "none"})
  void textReadsBack(String text) {
    RateLimitSpec spec = RateLimitSpec.parse(text);
    assertThat(RateLimitSpec.parse(spec.text())).isEqualTo(spec);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fast", "-1", "50/10x", "2.5/10s", "500/0s", "NaN", "1/", "2000000/1s"})
  void nonsenseIsRefusedWithTheFormsThatWork(String text) {
    assertThatThrownBy(() -> RateLimitSpec.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text);
  }
}
