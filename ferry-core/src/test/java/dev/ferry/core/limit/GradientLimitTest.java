package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The gradient algorithm driven by synthetic sample streams in virtual time (no clock, no threads). */
class GradientLimitTest {
  private static final long MS = 1_000_000L;
  private long now = 5_000 * MS;

  /** One round trip of a closed loop: {@code limit} requests (at least 10) that each took {@code rttMs}. */
  private int round(Limit limit, long rttMs, boolean fullyUsed) {
    int n = Math.max(10, limit.limit());
    int inflight = fullyUsed ? limit.limit() : Math.max(1, limit.limit() / 4);
    int result = limit.limit();
    for (int i = 0; i < n; i++) { // completions spread evenly over the round trip
      result = limit.onSample(now + i * rttMs * MS / n, rttMs * MS, inflight, false);
    }
    now += rttMs * MS;
    return result;
  }

  /** A target that serves {@code capacity} requests at {@code baseMs}; more queue (latency grows in proportion). */
  private static long saturating(int inflight, long baseMs, int capacity) {
    return Math.max(baseMs, baseMs * inflight / capacity);
  }

  @Test
  void slowStartDoublesEachRoundTripWhileLatencyStaysFlat() {
    // Given a fresh limit at 16
    GradientLimit limit = Limit.gradientBuilder().initialLimit(16).maxLimit(1000).build();
    // When the latency stays at 100 ms
    // Then it doubles every round trip
    java.util.List<Integer> seen = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) seen.add(round(limit, 100, true));
    assertThat(seen).containsExactly(32, 64, 128, 256);
    // up to the maximum
    for (int i = 0; i < 5; i++) round(limit, 100, true);
    assertThat(limit.limit()).isEqualTo(1000);
    assertThat(limit.inSlowStart()).isTrue();
  }

  @Test
  void steadyLatencyGrowsToAPlateauWhereTheTargetStartsQueueing() {
    // Given a target that serves 300 requests at 100 ms and queues the rest
    GradientLimit limit = Limit.gradientBuilder().build();
    // When the loop runs for 600 round trips (a minute)
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (int i = 0; i < 600; i++) {
      round(limit, saturating(limit.limit(), 100, 300), true);
      if (i >= 300 && i % 10 != 0) {
        min = Math.min(min, limit.limit());
        max = Math.max(max, limit.limit());
      }
    }
    // Then the limit settles just above the capacity: the target is kept busy, the queue stays short
    assertThat(limit.inSlowStart()).isFalse();
    assertThat(limit.limit()).isBetween(300, 600);
    assertThat(limit.baselineNanos()).isEqualTo(100 * MS, org.assertj.core.data.Offset.offset(1.0));
  }

  @Test
  void risingLatencyLowersTheLimitAndFallingLatencyRaisesItAgain() {
    // Given a limit settled at 100 ms against a target of capacity 300
    GradientLimit limit = Limit.gradientBuilder().build();
    for (int i = 0; i < 300; i++) round(limit, saturating(limit.limit(), 100, 300), true);
    int settled = limit.limit();
    // When the target gets twice as slow for 5 seconds
    int lowest = settled;
    for (int i = 0; i < 25; i++) {
      round(limit, saturating(limit.limit(), 200, 300), true);
      lowest = Math.min(lowest, limit.limit());
    }
    // Then the limit backs off
    assertThat(lowest).isLessThan(settled * 3 / 4);
    // When it speeds up again
    for (int i = 0; i < 100; i++) round(limit, saturating(limit.limit(), 100, 300), true);
    // Then the limit is back where it was
    assertThat(limit.limit()).isGreaterThanOrEqualTo(settled * 9 / 10);
  }

  @Test
  void aDropCutsTheLimitMultiplicativelyAndEndsSlowStart() {
    // Given a limit of 100 in slow start
    GradientLimit limit = Limit.gradientBuilder().initialLimit(100).backoffRatio(0.8).build();
    // When a request is dropped (429, 503, timeout)
    int after = limit.onSample(now, 10 * MS, 100, true);
    // Then the limit is cut by the backoff ratio at once
    assertThat(after).isEqualTo(80);
    assertThat(limit.inSlowStart()).isFalse();
    // and drops in later round trips keep cutting, down to the minimum
    for (int i = 1; i <= 50; i++) limit.onSample(now + i * 100 * MS, 10 * MS, 80, true);
    assertThat(limit.limit()).isEqualTo(4);
  }

  @Test
  void dropsWithinOneRoundTripOfACutCountOnce() {
    // Given a limit of 100
    GradientLimit limit = Limit.gradientBuilder().initialLimit(100).backoffRatio(0.8).build();
    // When 30 requests of the same round trip come back dropped (a burst of 429s)
    for (int i = 0; i < 30; i++) limit.onSample(now + i * MS, 10 * MS, 100, true);
    // Then the limit was cut once
    assertThat(limit.limit()).isEqualTo(80);
  }

  @Test
  void recoversAfterDropsWhenLatencyIsFlat() {
    // Given a limit cut to the minimum by drops
    GradientLimit limit = Limit.gradientBuilder().initialLimit(200).build();
    for (int i = 0; i < 30; i++) limit.onSample(now + i * 100 * MS, 10 * MS, 200, true);
    now += 3_000 * MS;
    assertThat(limit.limit()).isEqualTo(4);
    // When requests succeed again at flat latency for 200 round trips
    for (int i = 0; i < 200; i++) round(limit, 50, true);
    // Then it has grown back (additively: about sqrt(limit) per round trip)
    assertThat(limit.limit()).isGreaterThan(500);
  }

  @Test
  void doesNotGrowWhileLessThanHalfUsed() {
    // Given a limit of 100 of which only 25 are used
    GradientLimit limit = Limit.gradientBuilder().initialLimit(100).build();
    // When latency is flat for many round trips
    for (int i = 0; i < 100; i++) round(limit, 50, false);
    // Then the limit stays where it is (no growth nobody uses)
    assertThat(limit.limit()).isEqualTo(100);
  }

  @Test
  void reMeasuresTheBaselineWhenTheTargetGotSlowerForGood() {
    // Given a limit settled at 100 ms
    GradientLimit limit = Limit.gradientBuilder().probeInterval(Duration.ofSeconds(10)).build();
    for (int i = 0; i < 300; i++) round(limit, saturating(limit.limit(), 100, 300), true);
    int settled = limit.limit();
    // When the target's no-load latency doubles for good (same capacity), for a minute
    for (int i = 0; i < 300; i++) round(limit, saturating(limit.limit(), 200, 300), true);
    // Then a probe found the new baseline and the limit is back near the capacity, not pinned low
    assertThat(limit.baselineNanos()).isGreaterThan(190.0 * MS);
    assertThat(limit.limit()).isGreaterThan(settled / 2);
  }

  @Test
  void windowsNeedEnoughSamples() {
    // Given a limit with 10 samples a window
    GradientLimit limit = Limit.gradientBuilder().initialLimit(16).minWindowSamples(10).build();
    // When 9 samples arrive, however far apart
    for (int i = 0; i < 9; i++) limit.onSample(now + i * 1000 * MS, 10 * MS, 16, false);
    // Then nothing changed yet; the 10th closes the window
    assertThat(limit.limit()).isEqualTo(16);
    assertThat(limit.onSample(now + 9_000 * MS, 10 * MS, 16, false)).isEqualTo(32);
  }

  @Test
  void builderRejectsBadSettings() {
    assertThatThrownBy(() -> Limit.gradientBuilder().minLimit(10).maxLimit(5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("minLimit must be <= maxLimit");
    assertThatThrownBy(() -> Limit.gradientBuilder().initialLimit(2000).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Limit.gradientBuilder().tolerance(0.9)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Limit.gradientBuilder().backoffRatio(1.0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Limit.gradientBuilder().probeInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
