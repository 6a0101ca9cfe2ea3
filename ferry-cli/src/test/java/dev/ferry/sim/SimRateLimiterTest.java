package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The three server-side algorithms, driven by a fake ticker: no sleeping. */
class SimRateLimiterTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;

  private final AtomicLong now = new AtomicLong(123 * S);

  private void at(long offsetNanos, long origin) {
    now.set(origin + offsetNanos);
  }

  @Test
  void slidingWindowCountsAnExactLog() {
    // Given: 3 per second
    long t0 = now.get();
    RateLimiter limiter = new SlidingWindowLimiter(3, Duration.ofSeconds(1), now::get);

    // When / Then: admissions at 0, 400 ms, 800 ms fill the window
    at(0, t0);
    assertThat(limiter.tryAcquire()).isZero();
    at(400 * MS, t0);
    assertThat(limiter.tryAcquire()).isZero();
    at(800 * MS, t0);
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isEqualTo(200 * MS); // the first leaves the window at 1 s
    at(1_000 * MS, t0);
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isEqualTo(400 * MS); // next to leave: the one at 400 ms
    at(1_399 * MS, t0);
    assertThat(limiter.tryAcquire()).isEqualTo(MS);
    at(1_400 * MS, t0);
    assertThat(limiter.tryAcquire()).isZero();
  }

  @Test
  void slidingWindowNeverAdmitsMoreThanTheLimitInAnyWindow() {
    // Given: 500 per 10 s, requests every 7 ms for a minute
    long t0 = now.get();
    RateLimiter limiter = new SlidingWindowLimiter(500, Duration.ofSeconds(10), now::get);
    List<Long> admitted = new ArrayList<>();

    // When
    for (long t = 0; t < 60 * S; t += 7 * MS) {
      at(t, t0);
      if (limiter.tryAcquire() == 0) {
        admitted.add(t);
      }
    }

    // Then: any 501 consecutive admissions span at least the window
    for (int i = 500; i < admitted.size(); i++) {
      assertThat(admitted.get(i) - admitted.get(i - 500)).isGreaterThanOrEqualTo(10 * S);
    }
    assertThat(admitted).hasSizeGreaterThanOrEqualTo(6 * 500 - 1);
  }

  @Test
  void fixedWindowResetsAtTheBoundaryAllowingAnEdgeBurst() {
    // Given: 3 per second, windows aligned to creation
    long t0 = now.get();
    RateLimiter limiter = new FixedWindowLimiter(3, Duration.ofSeconds(1), now::get);

    // When / Then
    at(900 * MS, t0);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire()).isZero();
    }
    assertThat(limiter.tryAcquire()).isEqualTo(100 * MS);
    at(1_000 * MS, t0);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire()).isZero(); // 6 within 100 ms: the fixed window's edge burst
    }
    at(1_500 * MS, t0);
    assertThat(limiter.tryAcquire()).isEqualTo(500 * MS);
    at(2_000 * MS, t0);
    assertThat(limiter.tryAcquire()).isZero();
  }

  @Test
  void tokenBucketStartsFullRefillsContinuouslyAndCapsAtCapacity() {
    // Given: 2 per second, capacity 2
    long t0 = now.get();
    RateLimiter limiter = new TokenBucketLimiter(2, 2, now::get);

    // When / Then
    at(0, t0);
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isEqualTo(500 * MS);
    at(300 * MS, t0);
    assertThat(limiter.tryAcquire()).isEqualTo(200 * MS);
    at(500 * MS, t0);
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isEqualTo(500 * MS);
    at(60 * S, t0); // a long idle spell refills only up to the capacity
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isEqualTo(500 * MS);
  }

  @ParameterizedTest
  @EnumSource(RateAlgorithm.class)
  void concurrentCallersAtOneInstantGetExactlyTheLimit(RateAlgorithm algorithm) throws Exception {
    // Given: 50/s, window 1 s, burst 1 s: 50 permits at one instant for every algorithm
    RateLimiter limiter = RateLimiter.create(algorithm, 50, Duration.ofSeconds(1), Duration.ofSeconds(1), now::get);
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);

    // When
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 200; i++) {
        executor.submit(() -> {
          go.await();
          if (limiter.tryAcquire() == 0) {
            granted.incrementAndGet();
          }
          return null;
        });
      }
      go.countDown();
    }

    // Then
    assertThat(granted).hasValue(50);
  }

  @Test
  void zeroRateMeansUnlimited() {
    RateLimiter limiter = RateLimiter.create(RateAlgorithm.SLIDING_WINDOW, 0, Duration.ofSeconds(10), Duration.ofSeconds(1), now::get);

    assertThat(limiter).isSameAs(RateLimiter.UNLIMITED);
    assertThat(limiter.tryAcquire()).isZero();
  }

  @Test
  void permitsPerWindowIsRateTimesWindowAtLeastOne() {
    assertThat(SimConfig.permitsPerWindow(50, Duration.ofSeconds(10))).isEqualTo(500);
    assertThat(SimConfig.permitsPerWindow(0.01, Duration.ofSeconds(10))).isEqualTo(1);
    assertThat(SimConfig.permitsPerWindow(2.5, Duration.ofSeconds(1))).isEqualTo(3);
    assertThat(SimConfig.permitsPerWindow(0, Duration.ofSeconds(1))).isZero();
  }

  @Test
  void retryAfterRoundsUpToWholeSecondsAtLeastOne() {
    assertThat(RateLimiter.retryAfterSeconds(1)).isEqualTo(1);
    assertThat(RateLimiter.retryAfterSeconds(S)).isEqualTo(1);
    assertThat(RateLimiter.retryAfterSeconds(S + 1)).isEqualTo(2);
    assertThat(RateLimiter.retryAfterSeconds(7_500 * MS)).isEqualTo(8);
  }
}
