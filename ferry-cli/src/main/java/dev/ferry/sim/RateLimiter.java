package dev.ferry.sim;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A server-side rate limit: decides at a request's arrival whether it may pass. Implementations read
 * time only from the ticker they are given, so tests drive them in virtual time. Implementations are
 * threadsafe.
 */
interface RateLimiter {
  /** A limiter that always admits. */
  RateLimiter UNLIMITED = () -> 0;

  /**
   * Takes a permit if one is free now.
   *
   * @return 0 when a permit was taken; otherwise the nanoseconds (> 0) until one frees, nothing taken
   */
  long tryAcquire();

  /**
   * What the limiter's rate-limit headers say right now (after the last {@link #tryAcquire}): the limit, what is
   * left, and the time until the quota is fully restored. Null for {@link #UNLIMITED}.
   */
  default QuotaState state() {
    return null;
  }

  /**
   * A limiter's quota as rate-limit headers state it. Immutable.
   *
   * @param limit      requests per window (the bucket's capacity)
   * @param remaining  requests left now
   * @param resetNanos time until the quota is fully restored: the end of a fixed window, the moment a sliding
   *                   window holds no admission any more, the time a bucket needs to refill
   * @param windowNanos the counting window (the bucket's capacity as time at its rate)
   */
  record QuotaState(long limit, long remaining, long resetNanos, long windowNanos) {}

  /**
   * The limiter for {@code ratePerSecond} ({@link #UNLIMITED} when 0) under {@code algorithm}.
   *
   * @param window the counting window of the window algorithms
   * @param burst the token bucket's capacity as time at the rate
   * @param ticker monotonic nanoseconds
   */
  static RateLimiter create(RateAlgorithm algorithm, double ratePerSecond, Duration window, Duration burst,
      LongSupplier ticker) {
    if (ratePerSecond == 0) {
      return UNLIMITED;
    }
    return switch (algorithm) {
      case SLIDING_WINDOW -> new SlidingWindowLimiter(SimConfig.permitsPerWindow(ratePerSecond, window), window, ticker);
      case FIXED_WINDOW -> new FixedWindowLimiter(SimConfig.permitsPerWindow(ratePerSecond, window), window, ticker);
      case TOKEN_BUCKET -> new TokenBucketLimiter(ratePerSecond, SimConfig.permitsPerWindow(ratePerSecond, burst), ticker);
    };
  }

  /** Retry-After seconds for a wait: rounded up, at least 1. */
  static long retryAfterSeconds(long waitNanos) {
    return Math.max(1, Math.ceilDiv(waitNanos, 1_000_000_000L));
  }
}
