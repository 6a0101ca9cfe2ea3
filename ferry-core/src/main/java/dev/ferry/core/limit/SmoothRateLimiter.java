package dev.ferry.core.limit;

import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import java.time.Duration;

/**
 * A pacing limiter in the GCRA style: it keeps the theoretical time of the next permit and spaces permits
 * exactly {@code 1/rate} apart, so a server counting with a token bucket, a fixed window or a sliding
 * window never sees a burst above the rate (pace, don't burst).
 *
 * <p>With {@link #limitWindow} it also keeps a ring of its last grants, so that no span of the window holds more
 * than the budget: grant {@code k + permits} waits for grant {@code k} plus the window (as {@link WindowBudgetLimiter},
 * but under the pace, so it only binds when grants bunch).
 *
 * <p>Concurrency: every read and write of {@code nextFreeNanos}, {@code intervalNanos}, {@code burstNanos} and the
 * ring happens under {@code this} lock; a reservation is O(1) and never sleeps while
 * holding it. The one lock-free read: an unlimited limiter that is not paused and keeps no window budget answers 0
 * from the volatile {@code unlimited}, {@code paused} and {@code budgeted} flags (all written under the lock). Callers sleep outside, each for the slot it was given, so permits leave in reservation order.
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
  /** Whether a window budget is kept; written under {@code this}, read without it by the fast path. */
  private volatile boolean budgeted;
  /** Whether the rate is infinite; written under {@code this}, read without it by the fast path. */
  private volatile boolean unlimited;
  /**
   * @GuardedBy("this") grant times of the last permits of the window budget, a ring; null when there is none.
   * Invariant: it holds the last {@code filled} grants in ascending order, the next one goes at {@code oldest}, the
   * oldest is at {@code oldest - filled} (mod its length).
   */
  private long[] grants;
  /** @GuardedBy("this") */
  private int oldest;
  /** @GuardedBy("this") */
  private int filled;
  /** @GuardedBy("this") */
  private long budgetWindowNanos;
  /**
   * @GuardedBy("this") how much later than its slot the target counted each grant of the ring (its caller woke late,
   * or the target was stalled): the grant a window after it waits as much
   */
  private long[] lateOf;
  /**
   * @GuardedBy("this") for each slot of the ring, the grant (and its lateness) a newer one replaced there, so that a
   * pause that gives the newer one up puts it back
   */
  private long[] replacedGrant;
  /** @GuardedBy("this") */
  private long[] replacedLate;
  /** @GuardedBy("this") */
  private boolean[] replaced;
  /** @GuardedBy("this") the most a caller of {@link #acquire} woke after its slot, lately */
  private long lateWakeNanos;
  /** @GuardedBy("this") when {@code lateWakeNanos} was seen */
  private long lateSeenNanos = Long.MIN_VALUE;

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
    if (unlimited && !paused && !budgeted) return 0;
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
    if (grants != null && filled == grants.length) {
      earliest = Math.max(earliest, grants[oldest] + budgetWindowNanos + lateOf[oldest]);
    }
    // the schedule never lags "now" by more than the burst allowance
    long base = Math.max(nextFreeNanos, earliest);
    nextFreeNanos = base + (long) intervalNanos;
    if (grants != null) {
      replaced[oldest] = filled == grants.length;
      replacedGrant[oldest] = grants[oldest];
      replacedLate[oldest] = lateOf[oldest];
      grants[oldest] = earliest;
      lateOf[oldest] = 0;
      oldest = (oldest + 1) % grants.length;
      if (filled < grants.length) filled++;
    }
    return earliest - now;
  }

  @Override
  public synchronized boolean tryAcquire() {
    long now = ticker.read();
    long earliest = Math.max(now, nextFreeNanos - burstNanos);
    if (paused && now < pausedUntilNanos) return false;
    if (earliest > now) return false;
    if (grants != null && filled == grants.length && grants[oldest] + budgetWindowNanos + lateOf[oldest] > now) {
      return false;
    }
    reserveAt(now);
    return true;
  }

  /**
   * As {@link RateLimiter#acquire}, and with a window budget it notes how late the caller woke after its slot: the ring
   * holds slots, and a send that left later than its slot is counted later by the target, so the grant a window after
   * it waits as much.
   */
  /** One kind of permit only: {@link #acquire(Sleeper)}. */
  @Override
  public void acquire(Sleeper sleeper, boolean write) throws InterruptedException {
    acquire(sleeper);
  }

  @Override
  public void acquire(Sleeper sleeper) throws InterruptedException {
    while (true) {
      long pausesBefore = pauses;
      if (unlimited && !paused && !budgeted) return; // the fast path of reserveNanos
      long slot;
      long wait;
      long[] ring;
      int index;
      synchronized (this) {
        long now = ticker.read();
        wait = reserveAt(now);
        slot = now + wait;
        ring = grants;
        index = ring == null ? -1 : Math.floorMod(oldest - 1, ring.length);
      }
      sleeper.sleepNanos(wait);
      if (pauses != pausesBefore) continue;
      if (ring != null) noteLate(ring, index, slot, ticker.read() - slot);
      return;
    }
  }

  private synchronized void noteLate(long[] ring, int index, long slot, long late) {
    if (ring != grants || grants[index] != slot || late <= 0) return; // resized or given up meanwhile
    lateOf[index] = Math.max(lateOf[index], late);
    long now = ticker.read();
    if (late >= lateWakeNanos || now - lateSeenNanos > budgetWindowNanos) {
      lateWakeNanos = late;
      lateSeenNanos = now;
    }
  }

  /**
   * The target counted the request sent at {@code sentNanos} {@code lateNanos} later than it counts the quickest (a
   * stall of either host): the grant a window after it waits as much. The grant is the newest slot at or before the
   * send, and those a late wake-up could have sent then too.
   */
  @Override
  public synchronized void countedLate(long sentNanos, long lateNanos) {
    if (grants == null || lateNanos <= 0) return;
    boolean newest = true;
    for (int i = 1; i <= filled; i++) {
      int index = Math.floorMod(oldest - i, grants.length);
      long slot = grants[index];
      if (slot > sentNanos) continue;
      if (!newest && slot < sentNanos - lateWakeNanos) break;
      lateOf[index] = Math.max(lateOf[index], lateNanos + sentNanos - slot);
      newest = false;
    }
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
      // Those given-up slots leave the budget's ring too (they are its newest entries), and the grants they replaced
      // come back: the permit a window after those must still wait for them.
      long now = until - pause.toNanos();
      while (grants != null && filled > 0 && grants[Math.floorMod(oldest - 1, grants.length)] > now) {
        oldest = Math.floorMod(oldest - 1, grants.length);
        if (replaced[oldest]) {
          grants[oldest] = replacedGrant[oldest];
          lateOf[oldest] = replacedLate[oldest];
          replaced[oldest] = false;
        } else {
          filled--;
        }
      }
    }
  }

  @Override
  public long pauses() {
    return pauses;
  }

  /** When the schedule's next permit is free (a pacer handing its schedule over reads it). */
  synchronized long nextFreeNanos() {
    return nextFreeNanos;
  }

  /** Grants no permit before {@code nanos} that it would not have granted anyway: a schedule handed over to it. */
  synchronized void notBefore(long nanos) {
    nextFreeNanos = Math.max(nextFreeNanos, nanos);
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
  public synchronized void limitWindow(int permits, Duration window) {
    if (permits <= 0) {
      grants = null;
      lateOf = null;
      replacedGrant = null;
      replacedLate = null;
      replaced = null;
      filled = 0;
      oldest = 0;
      budgeted = false;
      return;
    }
    if (!window.isPositive()) throw new IllegalArgumentException("window must be positive");
    budgetWindowNanos = window.toNanos();
    budgeted = true;
    if (grants != null && grants.length == permits) return;
    // A new size keeps the latest grants, oldest first.
    long[] ring = new long[permits];
    long[] late = new long[permits];
    int keep = grants == null ? 0 : Math.min(filled, permits);
    for (int i = 0; i < keep; i++) {
      ring[i] = grants[Math.floorMod(oldest - keep + i, grants.length)];
      late[i] = lateOf[Math.floorMod(oldest - keep + i, grants.length)];
    }
    grants = ring;
    lateOf = late;
    replacedGrant = new long[permits];
    replacedLate = new long[permits];
    replaced = new boolean[permits];
    filled = keep;
    oldest = keep % permits;
  }

  @Override
  public String toString() {
    return "SmoothRateLimiter[rate=" + rate() + "/s, burst=" + burst + "]";
  }
}
