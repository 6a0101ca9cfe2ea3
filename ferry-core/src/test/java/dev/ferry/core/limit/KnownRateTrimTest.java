package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KnownRateTrimTest {
  private static final long S = 1_000_000_000L;

  @Test
  void noRateLimitedAnswerKeepsThePaceAtTheTarget() {
    KnownRateTrim trim = KnownRateTrim.withDefaults(49.25, 0);
    for (long t = 0; t < 600 * S; t += S) assertThat(trim.onAdmitted(t)).isEqualTo(49.25);
  }

  @Test
  void aRateLimitedAnswerCutsOnceForTheRequestsOfOnePace() {
    // Given
    KnownRateTrim trim = KnownRateTrim.withDefaults(100, 0);
    // When: three 429s of requests sent before the first cut arrive together
    double first = trim.onRateLimited(10 * S, 11 * S);
    double second = trim.onRateLimited(10 * S + 5, 11 * S + 10);
    double third = trim.onRateLimited(10 * S + 9, 11 * S + 20);
    // Then: one cut of 3 %
    assertThat(first).isEqualTo(97.0);
    assertThat(second).isEqualTo(97.0);
    assertThat(third).isEqualTo(97.0);
    // When: a request sent after the cut is refused too
    assertThat(trim.onRateLimited(12 * S, 12 * S + 100)).isCloseTo(94.09, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void neverGoesBelowTheFloorAndClimbsBackWithoutRateLimitedAnswers() {
    KnownRateTrim trim = KnownRateTrim.withDefaults(100, 0);
    long t = 0;
    for (int i = 0; i < 50; i++) {
      t += S;
      trim.onRateLimited(t, t);
    }
    assertThat(trim.pace()).isEqualTo(85.0);
    // 30 s without a 429: +0.5 of the target each time, up to the target
    assertThat(trim.onAdmitted(t + 29 * S)).isEqualTo(85.0);
    assertThat(trim.onAdmitted(t + 30 * S)).isEqualTo(85.5);
    for (int i = 2; i < 100; i++) trim.onAdmitted(t + 30 * S * i);
    assertThat(trim.pace()).isEqualTo(100.0);
  }

  @Test
  void validatesArguments() {
    assertThatThrownBy(() -> new KnownRateTrim(0, 0.8, 0.03, 0.01, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KnownRateTrim(10, 0, 0.03, 0.01, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KnownRateTrim(10, 0.8, 1, 0.01, 1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
