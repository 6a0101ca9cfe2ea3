package dev.ferry.sim;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Fixed windows of {@code window} length aligned to the limiter's creation; at most {@code limit}
 * requests per window. Threadsafe.
 */
final class FixedWindowLimiter implements RateLimiter {
  /* Concurrency: windowIndex and used are guarded by `this`; the critical section never blocks. */
  private final long limit;
  private final long windowNanos;
  private final LongSupplier ticker;
  private final long origin;
  private long windowIndex; // guarded by this
  private long used; // guarded by this

  FixedWindowLimiter(long limit, Duration window, LongSupplier ticker) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    }
    this.limit = limit;
    this.windowNanos = window.toNanos();
    this.ticker = ticker;
    this.origin = ticker.getAsLong();
  }

  @Override
  public synchronized long tryAcquire() {
    long now = ticker.getAsLong();
    long index = Math.floorDiv(now - origin, windowNanos);
    if (index != windowIndex) {
      windowIndex = index;
      used = 0;
    }
    if (used < limit) {
      used++;
      return 0;
    }
    return origin + (index + 1) * windowNanos - now;
  }

  @Override
  public synchronized QuotaState state() {
    long now = ticker.getAsLong();
    long index = Math.floorDiv(now - origin, windowNanos);
    long usedNow = index == windowIndex ? used : 0;
    return new QuotaState(limit, Math.max(0, limit - usedNow), origin + (index + 1) * windowNanos - now, windowNanos);
  }
}
