package dev.ferry.sim;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Exact sliding log: admits a request when fewer than {@code limit} requests were admitted in the
 * window {@code (now - window, now]}. Keeps the admission times of the last {@code limit} requests in a
 * ring, so memory is {@code 8 × limit} bytes. Threadsafe.
 */
final class SlidingWindowLimiter implements RateLimiter {
  /* Concurrency: every field is guarded by `this`; the critical section is a few array operations and
   * never blocks. Invariant: times[head .. head+count) (mod limit) are admission times in ascending order,
   * all within the window as of the last call. */
  private final long windowNanos;
  private final LongSupplier ticker;
  private final long[] times; // guarded by this
  private int head; // guarded by this
  private int count; // guarded by this

  SlidingWindowLimiter(long limit, Duration window, LongSupplier ticker) {
    if (limit < 1 || limit > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("limit must be 1.." + Integer.MAX_VALUE + ", was " + limit);
    }
    this.windowNanos = window.toNanos();
    this.ticker = ticker;
    this.times = new long[(int) limit];
  }

  @Override
  public synchronized long tryAcquire() {
    long now = ticker.getAsLong();
    while (count > 0 && now - times[head] >= windowNanos) {
      head = (head + 1) % times.length;
      count--;
    }
    if (count < times.length) {
      times[(head + count) % times.length] = now;
      count++;
      return 0;
    }
    return times[head] + windowNanos - now;
  }

  @Override
  public synchronized QuotaState state() {
    long now = ticker.getAsLong();
    while (count > 0 && now - times[head] >= windowNanos) {
      head = (head + 1) % times.length;
      count--;
    }
    long newest = count == 0 ? Long.MIN_VALUE : times[(head + count - 1) % times.length];
    long reset = count == 0 ? 0 : Math.max(0, newest + windowNanos - now);
    return new QuotaState(times.length, times.length - count, reset, windowNanos);
  }
}
