package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimConfigTest {

  @Test
  void defaultsAreQuiet() {
    SimConfig config = SimConfig.builder().build();

    assertThat(config.port()).isZero();
    assertThat(config.latency()).isZero();
    assertThat(config.jitter()).isZero();
    assertThat(config.writeRateLimit()).isZero();
    assertThat(config.readRateLimit()).isZero();
    assertThat(config.rateWindow()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.rateAlgorithm()).isEqualTo(RateAlgorithm.SLIDING_WINDOW);
    assertThat(config.tokenBucketBurst()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.retryAfterHeader()).isTrue();
    assertThat(config.errorRate() + config.hangRate() + config.dropRate() + config.slowRate()).isZero();
    assertThat(config.hangDuration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.serialTime()).isZero();
    assertThat(config.requiredKey()).isNull();
    assertThat(config.multipleRoles()).isFalse();
  }

  @Test
  void toBuilderCopiesEverySetting() {
    SimConfig config = SimConfig.builder().port(9000).latency(Duration.ofMillis(200)).jitter(Duration.ofMillis(20))
        .writeRateLimit(50).readRateLimit(100).rateWindow(Duration.ofSeconds(1)).rateAlgorithm(RateAlgorithm.TOKEN_BUCKET)
        .tokenBucketBurst(Duration.ofMillis(500)).retryAfterHeader(false).errorRate(0.1).hangRate(0.01)
        .hangDuration(Duration.ofSeconds(5)).dropRate(0.02).slowRate(0.03).slowLatency(Duration.ofSeconds(2))
        .serialTime(Duration.ofMillis(1)).seed(9).requiredKey("sk_test_x").multipleRoles(true)
        .idempotencyTtl(Duration.ofMinutes(1)).idempotencyMaxEntries(10).build();

    assertThat(config.toBuilder().build()).isEqualTo(config);
  }

  @Test
  void rejectsOutOfRangeSettings() {
    assertThatThrownBy(() -> SimConfig.builder().errorRate(1.5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("errorRate");
    assertThatThrownBy(() -> SimConfig.builder().dropRate(Double.NaN).build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SimConfig.builder().writeRateLimit(-1).build()).hasMessageContaining("writeRateLimit");
    assertThatThrownBy(() -> SimConfig.builder().latency(Duration.ofMillis(-1)).build()).hasMessageContaining("latency");
    assertThatThrownBy(() -> SimConfig.builder().rateWindow(Duration.ZERO).build()).hasMessageContaining("rateWindow");
    assertThatThrownBy(() -> SimConfig.builder().port(70_000).build()).hasMessageContaining("port");
    assertThatThrownBy(() -> SimConfig.builder().requiredKey(" ").build()).hasMessageContaining("requiredKey");
    assertThatThrownBy(() -> SimConfig.builder().writeRateLimit(2_000_000).build()).hasMessageContaining("sliding window");
    assertThatThrownBy(() -> SimConfig.builder().latency(null).build()).isInstanceOf(NullPointerException.class);
  }

  @Test
  void toStringHidesTheRequiredKey() {
    assertThat(SimConfig.builder().requiredKey("sk_live_secret").build().toString())
        .doesNotContain("sk_live_secret").contains("requiredKey=***");
  }
}
