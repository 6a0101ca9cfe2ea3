package dev.ferry.core.limit;

import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import java.time.Duration;

/**
 * Spends a target's stated budget, {@code permits} in any {@code window}, as soon as callers ask: the client
 * side of a sliding-window server. Permit {@code k + permits} is never granted before a window after permit {@code
 * k}'s slot, nor before a window after the target counted permit {@code k}'s request as far as is known: how late its
 * caller woke after the slot, and its answer less the quickest round trip ({@link #answered}; a loaded host sends
 * late, and the server counts arrivals). So no interval shorter than the window holds more than {@code permits}
 * arrivals, and a server that counts the same budget with a sliding log, fixed windows or a token bucket of that
 * size never refuses. Unlike even pacing it lets a whole window's budget out at once: a job of up to {@code permits} requests
 * never waits, and the last window of any job ends early.
 *
 * <p>It is a {@link SmoothRateLimiter} at an infinite rate that keeps the budget ({@link
 * SmoothRateLimiter#keepStatedBudget}: the ring of {@link SmoothRateLimiter#limitWindow}, the lateness, the pauses that
 * give permits up); this class only answers the budget's own rate. A target that refuses anyway does not count the budget as stated (a smaller burst, say):
 * the first {@link #setRate} (the known-rate trim reacting to a 429) paces evenly at that rate from then on, and the
 * budget still holds under the pace. A budget learned from a target's headers does not replace the stated one
 * ({@link #limitWindow} is ignored).
 *
 * <p>Threadsafe: the limiter is, and {@code paced} only ever turns true.
 */
final class WindowBudgetLimiter implements RateLimiter {
  /** Budgets above this are refused: state the limit as a rate instead. */
  static final int MAX_PERMITS = 1_000_000;

  private final SmoothRateLimiter limiter;
  private final int permits;
  private final long windowNanos;
  /** Set once the target refused the budget and a pace was set. */
  private volatile boolean paced;

  /**
   * @param permits requests the target admits in any {@code window}
   * @param window  the target's counting window, widened by the caller's headroom
   */
  WindowBudgetLimiter(int permits, Duration window, Ticker ticker) {
    if (permits < 1 || permits > MAX_PERMITS) {
      throw new IllegalArgumentException("permits must be 1.." + MAX_PERMITS + ", was " + permits);
    }
    if (window == null || !window.isPositive()) throw new IllegalArgumentException("window must be positive");
    if (ticker == null) throw new NullPointerException("ticker cannot be null");
    this.permits = permits;
    this.windowNanos = window.toNanos();
    this.limiter = new SmoothRateLimiter(Double.POSITIVE_INFINITY, 1, ticker);
    limiter.keepStatedBudget(permits, window);
  }

  @Override
  public long reserveNanos() {
    return limiter.reserveNanos();
  }

  @Override
  public boolean tryAcquire() {
    return limiter.tryAcquire();
  }

  @Override
  public void acquire(Sleeper sleeper) throws InterruptedException {
    limiter.acquire(sleeper);
  }

  /** One kind of permit only: {@link #acquire(Sleeper)}. */
  @Override
  public void acquire(Sleeper sleeper, boolean write) throws InterruptedException {
    limiter.acquire(sleeper);
  }

  @Override
  public void pauseFor(Duration pause) {
    limiter.pauseFor(pause);
  }

  @Override
  public long pauses() {
    return limiter.pauses();
  }

  @Override
  public void countedLate(long sentNanos, long lateNanos) {
    limiter.countedLate(sentNanos, lateNanos);
  }

  @Override
  public void answered(long sentNanos, long answeredNanos) {
    limiter.answered(sentNanos, answeredNanos);
  }

  /** The budget's long-run rate while it is trusted; the pace after the target refused it. */
  @Override
  public double rate() {
    return paced ? limiter.rate() : permits * 1e9 / windowNanos;
  }

  /** Paces evenly at {@code permitsPerSecond} from now on, under the budget: the target does not count it as stated. */
  @Override
  public void setRate(double permitsPerSecond) {
    if (!(permitsPerSecond > 0) || Double.isInfinite(permitsPerSecond)) {
      throw new IllegalArgumentException("permitsPerSecond must be finite and > 0");
    }
    limiter.setRate(permitsPerSecond);
    paced = true;
  }

  @Override
  public String toString() {
    return "WindowBudgetLimiter[" + permits + " per " + Duration.ofNanos(windowNanos)
        + (paced ? ", paced at " + rate() + "/s" : "") + "]";
  }
}
