package dev.ferry.steps;

import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * A weighed budget, {@code budget} units (tokens, bytes...) in any {@code window}: OpenAI's tokens per minute. A call
 * reserves its weight; the reservation is granted at the earliest time when the weights granted in the window
 * before it, plus its own, fit the budget. Like the request budget ({@link RateLimiter#forLimit}) it spends the
 * budget as soon as there is work (a job that fits one window never waits) and keeps headroom by widening the
 * window. A weight above the whole budget is counted as the whole budget (it goes alone into an empty window):
 * the target refuses it or not, ferry does not wait forever.
 *
 * <p>As a {@link RateLimiter} (one permit = weight 1) it can be paused by a 429 and split between processes:
 * {@link #setRate} sets the budget to {@code rate × window}.
 *
 * <p>Concurrency: every field but the volatile {@code pauses} is guarded by {@code this}; a reservation never sleeps
 * under the lock. Invariant: {@code grants} holds, in ascending time order, every grant less than a window older than
 * the latest grant, and {@code inWindow} is the sum of their weights.
 */
final class WeightBudgetLimiter implements WeightLimiter, RateLimiter {
  private final Ticker ticker;
  private final long windowNanos;
  /** @GuardedBy("this") */
  private long budget;
  /** @GuardedBy("this") (time, weight) of recent grants, oldest first */
  private final ArrayDeque<long[]> grants = new ArrayDeque<>();
  /** @GuardedBy("this") */
  private long inWindow;
  /** @GuardedBy("this") grants are never earlier than the latest grant (FIFO) */
  private long latest = Long.MIN_VALUE;
  /** @GuardedBy("this") */
  private long pausedUntil = Long.MIN_VALUE;
  private volatile long pauses;

  /**
   * @param budget units the target admits in any {@code window}
   * @param window the target's window, widened by the caller's headroom
   */
  WeightBudgetLimiter(long budget, Duration window, Ticker ticker) {
    if (budget < 1) throw new IllegalArgumentException("budget must be >= 1");
    if (!window.isPositive()) throw new IllegalArgumentException("window must be positive");
    this.budget = budget;
    this.windowNanos = window.toNanos();
    this.ticker = ticker;
  }

  /** Reserves {@code weight} units; returns how long the caller waits before using them (0 = now). */
  synchronized long reserveNanos(long weight) {
    if (weight < 0) throw new IllegalArgumentException("weight must be >= 0");
    long now = ticker.read();
    // a weight of 0 (a batch of empty texts) waits only for a pause; no pause yet is MIN_VALUE, and MIN_VALUE - now
    // overflows to a wait of ~292 years (the run hung for good on a batch of empty documents)
    if (weight == 0) return pausedUntil > now ? pausedUntil - now : 0;
    long w = Math.min(weight, budget);
    long at = Math.max(Math.max(now, latest), pausedUntil);
    // grants older than a window before `at` no longer count, now or for any later grant
    while (!grants.isEmpty() && grants.peekFirst()[0] + windowNanos <= at) inWindow -= grants.pollFirst()[1];
    while (inWindow + w > budget) {
      long[] oldest = grants.pollFirst();
      inWindow -= oldest[1];
      at = Math.max(at, oldest[0] + windowNanos);
    }
    grants.addLast(new long[] {at, w});
    inWindow += w;
    latest = at;
    return at - now;
  }

  /** Blocks until {@code weight} units are granted (again after a pause that began meanwhile). */
  @Override
  public void acquire(long weight, Sleeper sleeper) throws InterruptedException {
    while (true) {
      long before = pauses;
      sleeper.sleepNanos(reserveNanos(weight));
      if (pauses == before) return;
    }
  }

  /**
   * What the target counted beyond the charge is granted now (it was spent: later grants wait for it to leave the
   * window); a smaller count is not credited back (the grant stays in the window: the budget errs on the safe side).
   */
  @Override
  public void settle(long charged, long counted) {
    if (counted > charged) reserveNanos(counted - charged);
  }

  @Override
  public long reserveNanos() {
    return reserveNanos(1);
  }

  @Override
  public synchronized boolean tryAcquire() {
    long now = ticker.read();
    if (pausedUntil > now || latest > now) return false;
    while (!grants.isEmpty() && grants.peekFirst()[0] + windowNanos <= now) inWindow -= grants.pollFirst()[1];
    if (inWindow + 1 > budget) return false;
    grants.addLast(new long[] {now, 1});
    inWindow++;
    latest = now;
    return true;
  }

  @Override
  public long pauses() {
    return pauses;
  }

  @Override
  public synchronized void pauseFor(Duration pause) {
    long until = ticker.read() + pause.toNanos();
    if (until > pausedUntil) {
      pausedUntil = until;
      pauses++;
    }
  }

  @Override
  public synchronized double rate() {
    return budget * 1e9 / windowNanos;
  }

  /** Sets the budget to {@code permitsPerSecond × window} (at least 1). */
  @Override
  public synchronized void setRate(double permitsPerSecond) {
    budget = Math.max(1, Math.round(permitsPerSecond * windowNanos / 1e9));
  }

  synchronized long budget() {
    return budget;
  }
}
