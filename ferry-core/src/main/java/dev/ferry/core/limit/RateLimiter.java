package dev.ferry.core.limit;

import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import java.time.Duration;

/**
 * Hands out permits at a steady pace, shared by every caller that talks to one target. Implementations are
 * threadsafe.
 *
 * <p>Blocking, non-blocking and reserving forms delegate to {@link #reserveNanos()}.
 */
public interface RateLimiter {

  /** A limiter that paces to {@code permitsPerSecond} with no burst beyond one permit. */
  static RateLimiter smooth(double permitsPerSecond, Ticker ticker) {
    return new SmoothRateLimiter(permitsPerSecond, 1, ticker);
  }

  /** A limiter that paces to {@code permitsPerSecond} and lets up to {@code burst} permits through at once. */
  static RateLimiter smooth(double permitsPerSecond, int burst, Ticker ticker) {
    return new SmoothRateLimiter(permitsPerSecond, burst, ticker);
  }

  /**
   * The limiter for a limit the user stated, keeping {@code headroom} (a share below 1) under it: a rate is
   * paced evenly at {@code headroom} of it; a budget's window is widened by {@code 1/headroom}.
   */
  static RateLimiter forLimit(RateLimitSpec limit, double headroom, Ticker ticker) {
    if (!(headroom > 0 && headroom <= 1)) throw new IllegalArgumentException("headroom must be in (0, 1]");
    if (limit.isNone()) return unlimited(ticker);
    if (limit.isBudget()) {
      return new WindowBudgetLimiter(limit.permits(), Duration.ofNanos(Math.round(limit.window().toNanos() / headroom)),
          ticker);
    }
    return smooth(limit.perSecond() * headroom, ticker);
  }

  /** A limiter that never waits (still honours {@link #pauseFor}). */
  static RateLimiter unlimited(Ticker ticker) {
    return new SmoothRateLimiter(Double.POSITIVE_INFINITY, 1, ticker);
  }

  /** Reserves the next permit and returns how long the caller must wait before using it (0 = now). */
  long reserveNanos();

  /** Takes a permit only if one is free now. */
  boolean tryAcquire();

  /**
   * Blocks until a permit is free (a write's, for a limiter that paces kinds apart). A permit reserved before a {@link #pauseFor pause} began is given up
   * and reserved again behind the pause: a caller queued for a slot when a 429 arrives must not send into
   * the refusal. So is one reserved before the pace was raised far ({@link #pauses}): its slot was of the slower pace.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  default void acquire(Sleeper sleeper) throws InterruptedException {
    acquire(sleeper, true);
  }

  /**
   * {@link #acquire(Sleeper)} for a read ({@code write} false: GET, HEAD) or a write: a limiter that paces them apart
   * ({@link ReadWriteLimiter}) takes the kind's permit; any other takes its one permit.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  default void acquire(Sleeper sleeper, boolean write) throws InterruptedException {
    while (true) {
      long pausesBefore = pauses();
      sleeper.sleepNanos(reserveNanos(write));
      if (pauses() == pausesBefore) return;
    }
  }

  /** {@link #reserveNanos()} for a read or a write (see {@link #acquire(Sleeper, boolean)}). */
  default long reserveNanos(boolean write) {
    return reserveNanos();
  }

  /**
   * How many times the schedule started afresh so far: pauses begun, and paces raised far enough to re-space the
   * callers queued for slots (see {@link #acquire}); 0 for limiters that do neither.
   */
  default long pauses() {
    return 0;
  }

  /** Reserves a permit and returns the wait as a Duration. */
  default Duration reserve() {
    return Duration.ofNanos(reserveNanos());
  }

  /** Grants no permit before {@code pause} from now (a 429's Retry-After applies to every caller). */
  void pauseFor(Duration pause);

  /** Permits per second; infinite when unlimited. */
  double rate();

  /** Changes the pace (adaptive limiting); takes effect for the next reservation. */
  void setRate(double permitsPerSecond);

  /**
   * From now on grants no more than {@code permits} in any {@code window} of this limiter's clock, on top of the pace
   * (a target whose rate-limit headers state its budget: arrivals that bunch after a stall must not exceed it);
   * {@code permits <= 0} lifts it. Limiters that hold no such budget ignore it.
   */
  default void limitWindow(int permits, Duration window) {}

  /**
   * The target counted the request sent at {@code sentNanos} {@code lateNanos} later than it counts the quickest (a
   * stall of either host delayed it): with a window budget, the permit a window after it waits as much. Limiters that
   * hold no such budget ignore it.
   */
  default void countedLate(long sentNanos, long lateNanos) {}

  /**
   * The answer to the request sent at {@code sentNanos} (this limiter's clock) came at {@code answeredNanos}: a stated
   * window budget ({@link #forLimit}) then holds the permit a window after that request until a window after its
   * answer less the shortest round trip, since the target counted it no later (a request that left late, after its
   * permit, is counted late). Other limiters ignore it.
   */
  default void answered(long sentNanos, long answeredNanos) {}
}
