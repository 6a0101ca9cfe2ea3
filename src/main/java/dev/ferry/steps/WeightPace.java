package dev.ferry.steps;

import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import java.time.Duration;

/**
 * A weight paced evenly at a rate (tokens per second) learned from the target's rate-limit headers: a call of weight
 * {@code w} leaves at the earliest at the time the previous calls' weights have been paid for at the rate, and makes
 * the next one wait {@code w / rate}. Next to no burst: in any interval {@code T} at most
 * {@code rate × (T + 0.1 s)} plus one call's weight leaves, whichever way the target counts (a fixed window, a
 * sliding one, a bucket).
 *
 * <p><b>Before the rate is known</b> one call probes: the first caller goes, the others wait until its answer sets
 * the rate ({@link #setRate}) or says there is none ({@link #noLimitStated}: unlimited from then on), or until
 * {@link #PROBE_NANOS} passed (then another caller probes). So the calls sent before the target stated its limit are
 * not a burst of every batch in flight.
 *
 * <p>As a {@link RateLimiter} (one permit = weight 1) it can be split between processes.
 *
 * <p>Concurrency: every field but the volatile {@code pauses} is guarded by {@code this}; a caller never sleeps under
 * the lock. Callers waiting in {@link #acquire} are not queued: whoever looks first once the pace is free goes.
 * Invariant: {@code next} is the earliest time the next call may be granted (the previous grant plus its weight's
 * time at the rate, and never before a pause's end).
 */
final class WeightPace implements WeightLimiter, RateLimiter {
  /** Longest sleep before a waiting caller looks at the pace again. */
  static final long RECHECK_NANOS = 100_000_000L;

  private final Ticker ticker;
  /** @GuardedBy("this") units per second; infinite = unlimited */
  private double rate = Double.POSITIVE_INFINITY;
  /** @GuardedBy("this") */
  private long next = Long.MIN_VALUE;
  /** @GuardedBy("this") */
  private long pausedUntil = Long.MIN_VALUE;
  private volatile long pauses;
  /** @GuardedBy("this") the rate was set, or the target stated none */
  private boolean known;
  /** @GuardedBy("this") while unknown: the time until which the probe's answer is waited for */
  private long probeUntil = Long.MIN_VALUE;

  /** Longest wait for the probe's answer before another caller probes. */
  static final long PROBE_NANOS = 10_000_000_000L;

  WeightPace(Ticker ticker) {
    this.ticker = ticker;
  }

  /** Reserves {@code weight} units; returns how long the caller waits before using them (0 = now). */
  synchronized long reserveNanos(long weight) {
    if (weight < 0) throw new IllegalArgumentException("weight must be >= 0");
    long now = ticker.read();
    long at = Math.max(Math.max(now, next), pausedUntil);
    next = Double.isInfinite(rate) ? at : at + nanosFor(weight);
    return at - now;
  }

  private long nanosFor(long weight) {
    return (long) Math.min(weight * 1e9 / rate, 3_600e9);
  }

  /**
   * Waits until the pace is free, then takes {@code weight}. The wait is re-checked at least every
   * {@link #RECHECK_NANOS}: a credit ({@link #settle}, a refused batch) or a new rate frees callers already waiting.
   */
  @Override
  public void acquire(long weight, Sleeper sleeper) throws InterruptedException {
    if (weight < 0) throw new IllegalArgumentException("weight must be >= 0");
    while (true) {
      long wait = take(weight);
      if (wait == 0) return;
      sleeper.sleepNanos(Math.min(wait, RECHECK_NANOS));
    }
  }

  /** Takes {@code weight} when the pace is free now (returns 0), else returns the time until it is. */
  private synchronized long take(long weight) {
    long now = ticker.read();
    long free = Math.max(next, pausedUntil);
    if (free > now) return free - now;
    if (!known) {
      if (probeUntil > now) return probeUntil - now;
      probeUntil = now + PROBE_NANOS; // this caller probes
    }
    // a caller that woke a little after the pace was free keeps the pace's own time (no rate lost to wake-ups)
    long at = free == Long.MIN_VALUE || now - free >= RECHECK_NANOS ? now : free;
    next = Double.isInfinite(rate) ? now : at + nanosFor(weight);
    return 0;
  }

  /** The target counted more (a debt the next calls wait for) or less (a credit against calls still waiting). */
  @Override
  public synchronized void settle(long charged, long counted) {
    if (Double.isInfinite(rate) || counted == charged || next == Long.MIN_VALUE) return;
    long now = ticker.read();
    long delta = counted > charged ? nanosFor(counted - charged) : -nanosFor(charged - counted);
    next = Math.max(next + delta, now); // a credit never lets a burst build up
  }

  @Override
  public long reserveNanos() {
    return reserveNanos(1);
  }

  @Override
  public synchronized boolean tryAcquire() {
    long now = ticker.read();
    if (Math.max(next, pausedUntil) > now) return false;
    reserveNanos(1);
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
    return rate;
  }

  @Override
  public synchronized void setRate(double unitsPerSecond) {
    if (!(unitsPerSecond > 0)) throw new IllegalArgumentException("rate must be > 0");
    rate = unitsPerSecond;
    known = true;
  }

  /** An answer came without a stated limit: unlimited (until a later answer states one), no more probing. */
  synchronized void noLimitStated() {
    known = true;
  }
}
