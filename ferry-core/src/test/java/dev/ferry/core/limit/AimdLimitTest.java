package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AimdLimitTest {
  private static final long MS = 1_000_000L;

  @Test
  void aDropMultipliesTheLimitByTheBackoffRatio() {
    // Given
    AimdLimit limit = Limit.aimdBuilder().initialLimit(20).backoffRatio(0.9).build();
    // When
    int after = limit.onSample(0, MS, 20, true);
    // Then
    assertThat(after).isEqualTo(18);
  }

  @Test
  void dropsOfOneRoundTripCountOnce() {
    // Given a limit of 20 that just backed off to 18
    AimdLimit limit = Limit.aimdBuilder().initialLimit(20).backoffRatio(0.9).build();
    limit.onSample(0, MS, 20, true);
    // When the other requests of that round trip are dropped too
    for (int i = 0; i < 10; i++) limit.onSample(0, MS, 20, true);
    // Then the limit was cut once
    assertThat(limit.limit()).isEqualTo(18);
  }

  @Test
  void growsAboutOneARoundTripWhenFullyUsed() {
    // Given
    AimdLimit limit = Limit.aimdBuilder().initialLimit(10).build();
    // When a round trip's worth of requests succeed with the limit fully used
    for (int i = 0; i < 11; i++) limit.onSample(0, MS, limit.limit(), false);
    // Then the limit grew by one
    assertThat(limit.limit()).isEqualTo(11);
  }

  @Test
  void doesNotGrowWhenNotFullyUsed() {
    AimdLimit limit = Limit.aimdBuilder().initialLimit(10).build();
    for (int i = 0; i < 100; i++) limit.onSample(0, MS, 5, false);
    assertThat(limit.limit()).isEqualTo(10);
  }

  @Test
  void aSampleSlowerThanTheTimeoutIsADrop() {
    AimdLimit limit = Limit.aimdBuilder().initialLimit(10).timeout(Duration.ofSeconds(1)).build();
    assertThat(limit.onSample(0, 2_000 * MS, 10, false)).isEqualTo(9);
  }

  @Test
  void theBuilderChecksTheBoundsTogetherAndABuiltLimitIgnoresLaterChanges() {
    assertThatThrownBy(() -> Limit.aimdBuilder().initialLimit(2000).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("initialLimit must be between minLimit and maxLimit");
    assertThatThrownBy(() -> Limit.aimdBuilder().maxLimit(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxLimit must be >= 1");
    AimdLimit.Builder builder = Limit.aimdBuilder().initialLimit(5).minLimit(2).maxLimit(8);
    AimdLimit limit = builder.build();
    builder.initialLimit(7);
    assertThat(limit.limit()).isEqualTo(5);
  }
}
