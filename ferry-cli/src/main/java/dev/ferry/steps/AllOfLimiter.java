package dev.ferry.steps;

import dev.ferry.core.limit.RateLimiter;
import java.time.Duration;
import java.util.List;

/**
 * Several request limits of one target at once (e.g. 50 per second and 3,000 per minute): a permit is reserved from
 * each, and the caller waits for the latest of them. A pause (429) pauses them all. Threadsafe (the parts are;
 * this class holds no state of its own).
 */
final class AllOfLimiter implements RateLimiter {
  private final List<RateLimiter> parts;

  AllOfLimiter(List<RateLimiter> parts) {
    if (parts.size() < 2) throw new IllegalArgumentException("combine two limiters or more");
    this.parts = List.copyOf(parts);
  }

  @Override
  public long reserveNanos() {
    long wait = 0;
    for (RateLimiter p : parts) wait = Math.max(wait, p.reserveNanos());
    return wait;
  }

  @Override
  public long reserveNanos(boolean write) {
    long wait = 0;
    for (RateLimiter p : parts) wait = Math.max(wait, p.reserveNanos(write));
    return wait;
  }

  /** Takes a permit only if every part has one now. A part that had one keeps it taken when a later part has none. */
  @Override
  public boolean tryAcquire() {
    for (RateLimiter p : parts) if (!p.tryAcquire()) return false;
    return true;
  }

  @Override
  public long pauses() {
    long n = 0;
    for (RateLimiter p : parts) n += p.pauses();
    return n;
  }

  @Override
  public void pauseFor(Duration pause) {
    for (RateLimiter p : parts) p.pauseFor(pause);
  }

  @Override
  public void answered(long sentNanos, long answeredNanos) {
    for (RateLimiter p : parts) p.answered(sentNanos, answeredNanos);
  }

  @Override
  public double rate() {
    double r = Double.POSITIVE_INFINITY;
    for (RateLimiter p : parts) r = Math.min(r, p.rate());
    return r;
  }

  /** Each part keeps its own pace (they are split between processes one by one: {@link SharedRate}). */
  @Override
  public void setRate(double permitsPerSecond) {
    throw new UnsupportedOperationException("set the rate of each limit of the target, not of all at once");
  }
}
