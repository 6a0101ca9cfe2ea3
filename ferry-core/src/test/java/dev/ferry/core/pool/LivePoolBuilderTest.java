package dev.ferry.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LivePoolBuilderTest {
  @Test
  void defaultsAreUsable() {
    // Given / When
    LivePool pool = LivePool.builder().build();

    // Then
    assertThat(pool.concurrency()).isEqualTo(8);
    assertThat(pool.queueCapacity()).isEqualTo(1024);
    assertThat(pool.overflow()).isEqualTo(Overflow.BLOCK);
    assertThat(pool.taskTimeout()).isEqualTo(Duration.ZERO);
    pool.close();
    assertThat(pool.isTerminated()).isTrue();
  }

  @Test
  void refusesBadSettings() {
    // Given
    LivePool.Builder b = LivePool.builder();

    // When / Then
    assertThatThrownBy(() -> b.concurrency(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("concurrency must be >= 1, was 0");
    assertThatThrownBy(() -> b.queueCapacity(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.taskTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.name(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.overflow(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("overflow cannot be null");
    assertThatThrownBy(() -> b.scheduler(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aBuiltPoolDoesNotChangeWhenItsBuilderDoes() {
    // Given
    LivePool.Builder b = LivePool.builder().concurrency(3);
    LivePool pool = b.build();

    // When
    b.concurrency(5);

    // Then
    assertThat(pool.concurrency()).isEqualTo(3);
    pool.close();
  }

  @Test
  void submitRefusesANegativeTimeout() {
    // Given
    LivePool pool = LivePool.builder().build();

    // When / Then
    assertThatThrownBy(() -> pool.submit(() -> 1, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    pool.close();
  }
}
