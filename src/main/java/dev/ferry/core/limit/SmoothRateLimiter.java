package dev.ferry.core.limit;

import dev.ferry.core.time.Ticker;
import java.time.Duration;

/**
 * A pacing limiter in the GCRA style: it keeps the theoretical time of the next permit and spaces permits
 * exactly {@code 1/rate} apart, so a server counting with a token bucket, a fixed window or a sliding
 * window never sees a burst above the rate (pace, don't burst).
 *
 * <p>Concurrency: every read and write of {@code nextFreeNanos}, {@code intervalNanos} and
 * {@code burstNanos} happens under {@code this} lock; a reservation is O(1) and never sleeps while
 * holding it. The one lock-free read: an unlimited limiter that is not paused answers 0 from the volatile
 * {@code unlimited} and {@code paused} flags (both written under the lock). Callers sleep outside, each for the slot it was given, so permits leave in reservation order.
 */
final class SmoothRateLimiter implements RateLimiter {
  private final Ticker ticker;
  private final int burst;
  /** @GuardedBy("this") theoretical time at which the next permit is free */
  private long nextFreeNanos;
  /** @GuardedBy("this") spacing between permits; 0 when unlimited */
  private double intervalNanos;
  /** @GuardedBy("this") how far ahead of the pace a burst may run: (burst - 1) intervals */
  private long burstNanos;
  /** @GuardedBy("this") no permit is granted before this time (429 pause) */
  private long pausedUntilNanos;
  /** Whether {@code pausedUntilNanos} is in force; written under {@code this}, read without it by the fast path. */
  private volatile boolean paused;
  /** Pauses begun so far; written under {@code this}, read without it. */
  private volatile long pauses;
  /** Whether the rate is infinite; written under {@code this}, read without it by the fast path. */
  private volatile boolean unlimited;

  SmoothRateLimiter(double permitsPerSecond, int burst, Ticker ticker) {
    if (!(permitsPerSecond > 0)) throw new IllegalArgumentException("permitsPerSecond must be > 0");
    if (burst < 1) throw new IllegalArgumentException("burst must be >= 1");
    if (ticker == null) throw new NullPointerException("ticker cannot be null");
    this.ticker = ticker;
    this.burst = burst;
    this.nextFreeNanos = ticker.read();
    setRate(permitsPerSecond);
  }

  @Override
  public long reserveNanos() {
    // Fast path: unlimited and not paused, there is nothing to reserve, so take no lock. Without it every
    // request of an unlimited run met on this monitor (~3 % of the client's CPU with 100 virtual threads in
    // the peer benchmarks, docs/PEERS.md). A call racing pauseFor is ordered before the pause, as if it had
    // taken the lock first; the schedule it skips is empty at an infinite rate.
    if (unlimited && !paused) return 0;
    synchronized (this) {
      return reserveAt(ticker.read());
    }
  }

  /** Pure step of the algorithm at time {@code now}: returns the wait and advances the schedule. */
  private long reserveAt(long now) {
    long earliest = Math.max(now, nextFreeNanos - burstNanos);
    if (paused) {
      if (now < pausedUntilNanos) {
        earliest = Math.max(earliest, pausedUntilNanos);
      } else {
        paused = false;
      }
    }
    // the schedule never lags "now" by more than the burst allowance
    long base = Math.max(nextFreeNanos, earliest);
    nextFreeNanos = base + (long) intervalNanos;
    return earliest - now;
  }

  @Override
  public synchronized boolean tryAcquire() {
    long now = ticker.read();
    long earliest = Math.max(now, nextFreeNanos - burstNanos);
    if (paused && now < pausedUntilNanos) return false;
    if (earliest > now) return false;
    reserveAt(now);
    return true;
  }

  @Override
  public synchronized void pauseFor(Duration pause) {
    long until = ticker.read() + pause.toNanos();
    if (!paused || until > pausedUntilNanos) {
      pausedUntilNanos = until;
      paused = true;
      pauses++;
      // Every permit handed out before this pause is given up by its holder and reserved again behind it
      // (RateLimiter.acquire), so the schedule starts afresh at the pause end: the abandoned slots must not push the
      // new ones later (at 10/s, 25 callers re-reserving after each of a few 429s cost seconds).
      nextFreeNanos = until;
    }
  }

  @Override
  public long pauses() {
    return pauses;
  }

  @Override
  public synchronized double rate() {
    return intervalNanos == 0 ? Double.POSITIVE_INFINITY : 1e9 / intervalNanos;
  }

  @Override
  public synchronized void setRate(double permitsPerSecond) {
    if (!(permitsPerSecond > 0)) throw new IllegalArgumentException("permitsPerSecond must be > 0");
    intervalNanos = Double.isInfinite(permitsPerSecond) ? 0 : 1e9 / permitsPerSecond;
    unlimited = intervalNanos == 0;
    burstNanos = (long) (intervalNanos * (burst - 1));
  }

  @Override
  public String toString() {
    return "SmoothRateLimiter[rate=" + rate() + "/s, burst=" + burst + "]";
  }
}
