package dev.ferry.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = RetryPolicy.builder().baseDelay(Duration.ofMillis(100))
      .maxDelay(Duration.ofSeconds(1)).build();

  @Test
  void backoffDoublesAndIsCapped() {
    // random = 0 gives the fixed half of the delay, random -> 1 almost the whole
    assertThat(policy.backoffNanos(1, 0)).isEqualTo(50_000_000L);
    assertThat(policy.backoffNanos(2, 0)).isEqualTo(100_000_000L);
    assertThat(policy.backoffNanos(3, 0)).isEqualTo(200_000_000L);
    assertThat(policy.backoffNanos(5, 0)).isEqualTo(500_000_000L);
    assertThat(policy.backoffNanos(30, 0)).isEqualTo(500_000_000L);
    assertThat(policy.backoffNanos(1, 0.5)).isEqualTo(75_000_000L);
    assertThat(policy.backoffNanos(60, 0.999999)).isLessThan(1_000_000_000L).isGreaterThan(999_000_000L);
  }

  @Test
  void withoutRetryAfterThePauseIsAFifthOfTheTimeRefusedSoFar() {
    // at least the first retry's backoff, a fifth of the time refused beyond it, at most the policy's longest delay
    assertThat(policy.pauseWithoutRetryAfterNanos(0, 0)).isEqualTo(50_000_000L);
    assertThat(policy.pauseWithoutRetryAfterNanos(200_000_000L, 0.5)).isEqualTo(75_000_000L);
    assertThat(policy.pauseWithoutRetryAfterNanos(2_000_000_000L, 0)).isEqualTo(400_000_000L);
    assertThat(policy.pauseWithoutRetryAfterNanos(60_000_000_000L, 0)).isEqualTo(1_000_000_000L);
  }

  @Test
  void builderValidates() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryPolicy.builder().baseDelay(Duration.ofSeconds(2)).maxDelay(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Backoff.equalJitter(1, 2, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Backoff.equalJitter(1, 2, 1, 1.0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toBuilderCopies() {
    RetryPolicy copy = policy.toBuilder().maxAttempts(2).build();
    assertThat(copy.maxAttempts()).isEqualTo(2);
    assertThat(policy.maxAttempts()).isEqualTo(6);
    assertThat(copy.baseDelay()).isEqualTo(policy.baseDelay());
  }
}
