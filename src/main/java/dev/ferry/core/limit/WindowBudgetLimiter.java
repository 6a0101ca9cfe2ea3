package dev.ferry.core.limit;

import dev.ferry.core.time.Ticker;
import java.time.Duration;

/**
 * Spends a target's stated budget, {@code permits} in any {@code window}, as soon as callers ask: the client
 * side of a sliding-window server. Permit {@code k + permits} is never granted before permit {@code k}'s time
 * plus the window, so no interval shorter than the window holds more than {@code permits} grants, and a
 * server that counts the same budget with a sliding log, fixed windows or a token bucket of that size never
 * refuses. Unlike {@link SmoothRateLimiter} it lets a whole window's budget out at once: a job of up to
 * {@code permits} requests never waits, and the last window of any job ends early.
 *
 * <p>A target that refuses anyway does not count the budget as stated (a smaller burst, say): the first
 * {@link #setRate} (the known-rate trim reacting to a 429) switches to even pacing at that rate for good.
 *
 * <p>Concurrency: every field but the volatile {@code pauses} is read and written under {@code this}; a
 * reservation is O(1) (one ring slot) and never sleeps while holding the lock. Invariant: {@code grants} holds
 * the times of the last {@code min(granted, permits)} grants in ascending order, oldest at {@code oldest}.
 */
final class WindowBudgetLimiter implements RateLimiter {
  /** Ring sizes above this are refused: state the limit as a rate instead. */
  static final int MAX_PERMITS = 1_000_000;

  private final Ticker ticker;
  private final long windowNanos;
  /** @GuardedBy("this") grant times of the last permits, a ring */
  private final long[] grants;
  /** @GuardedBy("this") index of the oldest grant, the next to be overwritten */
  private int oldest;
  /** @GuardedBy("this") grants so far, up to the ring's size */
  private int filled;
  /** @GuardedBy("this") even spacing once the target refused the budget; 0 while the budget is trusted */
  private double pacedIntervalNanos;
  /** @GuardedBy("this") the next paced slot (paced mode only) */
  private long nextPacedNanos;
  /** @GuardedBy("this") no permit before this time (429 pause) */
  private long pausedUntilNanos;
  /** Pauses begun so far; written under {@code this}, read without it. */
  private volatile long pauses;

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
    this.ticker = ticker;
    this.windowNanos = window.toNanos();
    this.grants = new long[permits];
    this.pausedUntilNanos = Long.MIN_VALUE;
  }

  @Override
  public synchronized long reserveNanos() {
    long now = ticker.read();
    long at = earliestAt(now);
    take(at);
    return at - now;
  }

  @Override
  public synchronized boolean tryAcquire() {
    long now = ticker.read();
    if (earliestAt(now) > now) return false;
    take(now);
    return true;
  }

  /** The earliest time the next permit may be granted; no side effects. */
  private long earliestAt(long now) {
    long at = Math.max(now, pausedUntilNanos);
    if (pacedIntervalNanos > 0) return Math.max(at, nextPacedNanos);
    if (filled == grants.length) at = Math.max(at, grants[oldest] + windowNanos);
    return at;
  }

  private void take(long at) {
    if (pacedIntervalNanos > 0) {
      nextPacedNanos = at + (long) pacedIntervalNanos;
      return;
    }
    grants[oldest] = at;
    oldest = (oldest + 1) % grants.length;
    if (filled < grants.length) filled++;
  }

  @Override
  public synchronized void pauseFor(Duration pause) {
    long until = ticker.read() + pause.toNanos();
    if (until > pausedUntilNanos) {
      pausedUntilNanos = until;
      pauses++;
      // Paced (after a trim), every permit handed out before this pause is given up by its holder and reserved again
      // behind it (RateLimiter.acquire): the schedule starts afresh at the pause end. (The budget's ring keeps its
      // grants: one to come may have overwritten an older one, which forgetting it would not bring back.)
      nextPacedNanos = Math.min(nextPacedNanos, until);
    }
  }

  @Override
  public long pauses() {
    return pauses;
  }

  /** The budget's long-run rate while it is trusted; the paced rate after the target refused it. */
  @Override
  public synchronized double rate() {
    return pacedIntervalNanos > 0 ? 1e9 / pacedIntervalNanos : grants.length * 1e9 / windowNanos;
  }

  /** Paces evenly at {@code permitsPerSecond} from now on: the target does not count the budget as stated. */
  @Override
  public synchronized void setRate(double permitsPerSecond) {
    if (!(permitsPerSecond > 0) || Double.isInfinite(permitsPerSecond)) {
      throw new IllegalArgumentException("permitsPerSecond must be finite and > 0");
    }
    boolean wasTrusted = pacedIntervalNanos == 0;
    pacedIntervalNanos = 1e9 / permitsPerSecond;
    if (wasTrusted) {
      long lastGrant = grants[(oldest + grants.length - 1) % grants.length];
      nextPacedNanos = filled == 0 ? ticker.read() : lastGrant + (long) pacedIntervalNanos;
    }
  }

  @Override
  public synchronized String toString() {
    return "WindowBudgetLimiter[" + grants.length + " per " + Duration.ofNanos(windowNanos)
        + (pacedIntervalNanos > 0 ? ", paced at " + rate() + "/s" : "") + "]";
  }
}
