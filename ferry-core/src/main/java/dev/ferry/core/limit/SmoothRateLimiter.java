package dev.ferry.core.limit;

import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.Wakeup;
import java.time.Duration;

/**
 * A pacing limiter in the GCRA style: it keeps the theoretical time of the next permit and spaces permits
 * exactly {@code 1/rate} apart, so a server counting with a token bucket, a fixed window or a sliding
 * window never sees a burst above the rate (pace, don't burst).
 *
 * <p>With {@link #limitWindow} it also keeps a ring of its last grants ({@link GrantRing}), so that no span of the
 * window holds more than the budget as the target counts it: grant {@code k + permits} waits for grant {@code k} plus
 * the window plus how late its caller woke (under the pace it only binds when grants bunch; at an infinite rate it is
 * a stated budget spent as soon as it allows, {@link WindowBudgetLimiter}).
 *
 * <p>A pace raised by half or more ({@link #setRate}) while callers are queued more than {@code 200 ms} ahead starts
 * its schedule afresh, as a pause does: the queued callers were given slots of the old, slower pace (after a 429 cut it
 * to a burst's estimate, 2/s against a bucket of 10/s, 17 callers held slots over 8.6 s and the pace the learner raised
 * to 5/s went out at 2/s, as new callers queued behind them), so they give those slots up and reserve again, and the
 * first new slot is a new interval after the last slot already due. Against token buckets of one token at 5-50 ms,
 * {@code --rate-limit none} went from 65-71 % of the rate to 79-82 % in virtual time ({@code LearningScenarioTest}). A
 * smaller rise (the ramp's steps, a header's pace moving) keeps the queue as it is, unless the steps add up to twice the
 * slowest pace a slot still queued was given at (a ramp from 2/s to 11/s in steps of a fifth, behind callers re-spaced
 * at 5/s, went out at 5/s and stopped ramping: the pace unused; at one and a half times, more rows fell than rose).
 *
 * <p>A caller whose slot is more than {@code 100 ms} ahead sleeps on the schedule's {@link Wakeup} and, when the pace is
 * raised far meanwhile (the re-spacing signals it), gives its slot up and reserves again at once, rather than at its old
 * slot: after a lockout that handed out slots at the tries' 10/s to ~260 callers, the learned 49/s went out at 10/s for
 * 40 s while they slept to their old slots ({@code --rate-limit none} against 500 per sliding 10 s without Retry-After:
 * 47 % of the limit over a minute in virtual time, 97.7 % with the wake, {@code NoRetryAfterScenarioTest}). The system
 * sleeper parks once until the slot or the signal; it once woke every 100 ms to look (1,000 callers queued: 10,000
 * wake-ups a second, a third of a paced import's CPU, docs/PERFORMANCE.md "Session 12"). A pause does not wake them: a
 * slot after the pause's end is given up when it is due, as before.
 *
 * <p>Concurrency: every read and write of {@code nextFreeNanos}, {@code intervalNanos}, {@code burstNanos} and the
 * ring happens under {@code this} lock; a reservation is O(1) and never sleeps while holding it. The one lock-free
 * read: an unlimited limiter that is not paused and keeps no window budget answers 0 from the volatile {@code
 * unlimited}, {@code paused} and {@code budgeted} flags (all written under the lock). Callers sleep outside, each for
 * the slot it was given, so permits leave in reservation order; a caller of {@link #acquire} that woke comes back
 * under the lock to note its lateness (or to learn it must wait for a late one a window before it). {@code wakeup} is
 * read and replaced under the lock too: a caller takes it with its slot, and a re-spacing signals it and puts a new one
 * in its place in the same locked step that gives the slots up, so exactly the callers holding a given-up slot are
 * woken (a slot reserved after the re-spacing waits on the new one).
 */
final class SmoothRateLimiter implements RateLimiter {
  /** A pace raised by at least this factor may start the schedule afresh (see the class comment). */
  private static final double RESPACE_RISE = 1.5;
  /** ... or by this factor from the slowest pace a slot still queued was given at (steps that add up). */
  private static final double QUEUED_RISE = 2;
  /** ... when callers are queued more than this far ahead of now (or of the pause's end). */
  private static final long RESPACE_BACKLOG_NANOS = 200_000_000L;
  /** A caller whose slot is further ahead sleeps on {@code wakeup}, to be woken by a re-spacing (class comment). */
  static final long WAKE_SLICE_NANOS = 100_000_000L;
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
  /** Schedules started afresh so far (pauses begun, paces raised far); written under {@code this}, read without it. */
  private volatile long pauses;
  /** Paces raised far so far (the restarts that wake sleeping callers); written under {@code this}, read without it. */
  private volatile long respaces;
  /** @GuardedBy("this") the longest interval a slot still queued was given at (0 when none is queued) */
  private double queuedIntervalNanos;
  /** Whether a window budget is kept; written under {@code this}, read without it by the fast path. */
  private volatile boolean budgeted;
  /** Whether the rate is infinite; written under {@code this}, read without it by the fast path. */
  private volatile boolean unlimited;
  /** @GuardedBy("this") signalled and replaced by a re-spacing: the callers of slots it gives up sleep on it */
  private Wakeup wakeup = new Wakeup();
  /** @GuardedBy("this") the window budget's last grants ({@link #limitWindow}); null when there is none */
  private GrantRing budget;
  /** @GuardedBy("this") where in {@code budget} the last reservation went */
  private int budgetIndex;

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
    if (budget != null) earliest = Math.max(earliest, budget.earliest());
    // the schedule never lags "now" by more than the burst allowance
    long base = Math.max(nextFreeNanos, earliest);
    if (base <= now) queuedIntervalNanos = 0; // nobody queued ahead: the queue starts again at this pace
    queuedIntervalNanos = Math.max(queuedIntervalNanos, intervalNanos);
    nextFreeNanos = base + (long) intervalNanos;
    if (budget != null) budgetIndex = budget.add(earliest);
    return earliest - now;
  }

  @Override
  public synchronized boolean tryAcquire() {
    long now = ticker.read();
    long earliest = Math.max(now, nextFreeNanos - burstNanos);
    if (paused && now < pausedUntilNanos) return false;
    if (earliest > now) return false;
    if (budget != null && budget.earliest() > now) return false;
    reserveAt(now);
    return true;
  }

  /**
   * As {@link RateLimiter#acquire}, and with a window budget it notes how late the caller woke after its slot: the ring
   * holds slots, and a send that left later than its slot is counted later by the target, so the grant a window after
   * it waits as much. In a stated budget, a caller whose grant was reserved before the one a window earlier woke late
   * waits that out too.
   */
  /** One kind of permit only: {@link #acquire(Sleeper)}. */
  @Override
  public void acquire(Sleeper sleeper, boolean write) throws InterruptedException {
    acquire(sleeper);
  }

  @Override
  public void acquire(Sleeper sleeper) throws InterruptedException {
    retry:
    while (true) {
      long pausesBefore = pauses;
      if (unlimited && !paused && !budgeted) return; // the fast path of reserveNanos
      long slot;
      long wait;
      GrantRing ring;
      int index;
      Wakeup respaced;
      synchronized (this) {
        long now = ticker.read();
        wait = reserveAt(now);
        slot = now + wait;
        ring = budget;
        index = budgetIndex;
        respaced = wakeup;
      }
      if (!sleepUntil(sleeper, wait, slot, respaced)) continue; // the pace was raised far: the slot is given up
      if (pauses != pausesBefore) continue;
      if (ring == null) return;
      for (long more = woke(ring, index, slot); more > 0; more = woke(ring, index, slot)) {
        sleeper.sleepNanos(more);
        if (pauses != pausesBefore) continue retry;
      }
      return;
    }
  }

  /**
   * Sleeps {@code wait} until {@code slot}: while more than {@link #WAKE_SLICE_NANOS} is left, on {@code respaced} (one
   * park for the system sleeper, slices of 100 ms for one that cannot be woken; what is left read from the ticker each
   * time); false as soon as it is signalled (the slot is to be given up). A wait of one slice or less is one sleep.
   */
  private boolean sleepUntil(Sleeper sleeper, long wait, long slot, Wakeup respaced) throws InterruptedException {
    long left = wait;
    while (left > WAKE_SLICE_NANOS) {
      if (sleeper.sleepNanos(left, respaced)) return false;
      left = slot - ticker.read();
    }
    if (left > 0 || wait <= WAKE_SLICE_NANOS) sleeper.sleepNanos(Math.max(0, left));
    return true;
  }

  /** Paces raised far so far: a caller asleep towards a slot reserved before the latest gives it up ({@link #acquire}). */
  long respaces() {
    return respaces;
  }

  /** The caller of the budget's grant at {@code index} woke: how much longer it waits (see {@link GrantRing#woke}). */
  private synchronized long woke(GrantRing ring, int index, long slot) {
    return ring == budget ? ring.woke(index, slot, ticker.read()) : 0; // a ring replaced meanwhile: a new budget
  }

  /**
   * The target counted the request sent at {@code sentNanos} {@code lateNanos} later than it counts the quickest (a
   * stall of either host): the grant a window after it waits as much (see {@link GrantRing#countedLate}).
   */
  @Override
  public synchronized void countedLate(long sentNanos, long lateNanos) {
    if (budget != null) budget.countedLate(sentNanos, lateNanos);
  }

  /**
   * The answer to the request sent at {@code sentNanos} came at {@code answeredNanos}: with a stated window budget ({@link
   * #keepStatedBudget}), the grant a window after it waits for that less the shortest round trip (see {@link
   * GrantRing#answered}).
   */
  @Override
  public synchronized void answered(long sentNanos, long answeredNanos) {
    if (budget != null) budget.answered(sentNanos, answeredNanos);
  }

  @Override
  public synchronized void pauseFor(Duration pause) {
    long until = ticker.read() + pause.toNanos();
    if (!paused || until > pausedUntilNanos) {
      pausedUntilNanos = until;
      paused = true;
      pauses++;
      queuedIntervalNanos = 0; // the callers queued reserve again behind the pause, at the pace then
      // Every permit handed out before this pause is given up by its holder and reserved again behind it
      // (RateLimiter.acquire), so the schedule starts afresh at the pause end: the abandoned slots must not push the
      // new ones later (at 10/s, 25 callers re-reserving after each of a few 429s cost seconds).
      nextFreeNanos = until;
      // Those given-up slots leave the budget's ring too (they are its newest entries), and the grants they replaced
      // come back: the permit a window after those must still wait for them.
      if (budget != null) budget.giveUpAfter(until - pause.toNanos());
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

  /**
   * Changes the pace for the next reservation; a rise by half or more to a finite pace (or to twice the slowest a queued
   * slot was given at), with callers queued more than 200 ms ahead, starts the schedule afresh (see the class comment).
   */
  @Override
  public synchronized void setRate(double permitsPerSecond) {
    if (!(permitsPerSecond > 0)) throw new IllegalArgumentException("permitsPerSecond must be > 0");
    double interval = Double.isInfinite(permitsPerSecond) ? 0 : 1e9 / permitsPerSecond;
    if (interval > 0 && (interval * RESPACE_RISE <= intervalNanos || interval * QUEUED_RISE <= queuedIntervalNanos)) {
      respace(interval);
    }
    intervalNanos = interval;
    unlimited = intervalNanos == 0;
    burstNanos = (long) (intervalNanos * (burst - 1));
  }

  /**
   * The queued callers' slots (those after now) are given up, as to a pause: their holders reserve again (RateLimiter's
   * acquire loop, {@link #pauses}), and the first new slot is {@code newInterval} after the last slot already due.
   */
  private void respace(double newInterval) {
    long now = ticker.read();
    long start = paused && now < pausedUntilNanos ? pausedUntilNanos : now;
    if (nextFreeNanos - start <= RESPACE_BACKLOG_NANOS) return;
    // (a queue built at a finite pace, then lifted to none and paced again: no slot of the unpaced stretch is due)
    long queued = intervalNanos > 0 ? (long) Math.ceil((nextFreeNanos - now) / intervalNanos) : 0;
    long lastDue = intervalNanos > 0 ? nextFreeNanos - (long) (queued * intervalNanos) : now;
    pauses++;
    respaces++;
    wakeup.signal(); // the callers asleep towards the slots given up reserve again at once
    wakeup = new Wakeup();
    queuedIntervalNanos = 0;
    nextFreeNanos = Math.max(start, lastDue + (long) newInterval);
    if (budget != null) budget.giveUpAfter(now);
  }

  @Override
  public synchronized void limitWindow(int permits, Duration window) {
    if (permits <= 0) {
      budget = null;
      budgeted = false;
      return;
    }
    if (!window.isPositive()) throw new IllegalArgumentException("window must be positive");
    if (budget == null) budget = new GrantRing(permits, window.toNanos(), false);
    else if (budget.permits() != permits) budget = budget.resized(permits); // keeps the latest grants
    budget.windowNanos(window.toNanos());
    budgeted = true;
  }

  /**
   * Keeps the budget the user stated, {@code permits} in any {@code window}, for good ({@link WindowBudgetLimiter}): as
   * {@link #limitWindow}, and a caller also waits out a late grant a window before it, and answers count.
   */
  synchronized void keepStatedBudget(int permits, Duration window) {
    budget = new GrantRing(permits, window.toNanos(), true);
    budgeted = true;
  }

  @Override
  public String toString() {
    return "SmoothRateLimiter[rate=" + rate() + "/s, burst=" + burst + "]";
  }
}
