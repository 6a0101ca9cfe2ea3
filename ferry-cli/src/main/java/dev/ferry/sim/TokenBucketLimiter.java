package dev.ferry.sim;

import java.util.function.LongSupplier;

/**
 * Token bucket refilled continuously at {@code rate} tokens per second, holding at most
 * {@code capacity} tokens, full at creation. Implemented as a generic cell rate algorithm: one
 * "theoretical arrival time" instead of a token count, all in integer nanoseconds. Threadsafe.
 */
final class TokenBucketLimiter implements RateLimiter {
  /* Concurrency: tat is guarded by `this`; the critical section never blocks.
   * Invariant: tokens available at time t = min(capacity, (t - (tat - capacity × interval)) / interval),
   * i.e. the bucket is full whenever tat <= t. */
  private final long intervalNanos;
  private final long burstNanos;
  private final LongSupplier ticker;
  private long tat; // guarded by this

  TokenBucketLimiter(double ratePerSecond, long capacity, LongSupplier ticker) {
    if (!(ratePerSecond > 0) || capacity < 1) {
      throw new IllegalArgumentException("rate must be > 0 and capacity >= 1, were " + ratePerSecond + ", " + capacity);
    }
    this.intervalNanos = Math.max(1, Math.round(1e9 / ratePerSecond));
    this.burstNanos = Math.multiplyExact(capacity, intervalNanos);
    this.ticker = ticker;
    this.tat = ticker.getAsLong();
  }

  @Override
  public synchronized long tryAcquire() {
    long now = ticker.getAsLong();
    long next = Math.max(tat, now) + intervalNanos;
    long excess = next - now - burstNanos;
    if (excess > 0) {
      return excess;
    }
    tat = next;
    return 0;
  }

  @Override
  public synchronized QuotaState state() {
    long now = ticker.getAsLong();
    long owed = Math.max(0, tat - now); // time until full
    long capacity = burstNanos / intervalNanos;
    long tokens = Math.max(0, (burstNanos - owed) / intervalNanos);
    return new QuotaState(capacity, Math.min(capacity, tokens), owed, burstNanos);
  }
}
