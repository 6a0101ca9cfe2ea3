package dev.ferry.core.exec;

import dev.ferry.core.limit.RateLimiter;
import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place a rate permit is charged, so that a limiter shared by several fronts is charged exactly once per HTTP
 * attempt. An HTTP attempt (every try and every retry of {@code http.HttpTarget}) calls {@link #charge}. A live pool
 * task given a limiter calls {@link #prepay} before it starts (the pool's documented pacing of tasks) and {@link
 * #clear(Object)} when it ends; the first {@link #charge} of the <em>same</em> limiter on the task's thread uses that
 * permit instead of taking another. So a task whose calls go through the limiter costs one permit per attempt (not one
 * more for the task), and a task that makes no call costs one permit. A batch step's sender prepays the same way while
 * its batch still fills, and {@link #forfeit}s the permit when the call then waited for another limit (tokens).
 *
 * <p>A prepaid permit is given up (and a fresh one taken) when the limiter began a pause since (a 429's Retry-After):
 * a permit taken before a refusal must not send into it. Limiters are matched by identity: a limiter that wraps
 * another is a different one. A task that runs another one in place on its thread (a {@code CALLER_RUNS} submit from
 * inside a task) keeps its own prepaid permit: the inner task's credit stands in front of it until the inner task
 * ends.
 *
 * <p>This class is threadsafe.
 */
public final class RatePermits {
  /* Concurrency: CREDITS maps a thread to the permit it prepaid (the innermost task's, which links the one of the
   * task it runs inside, if any). Only the owning thread puts, takes or removes its own entry (prepay, charge and
   * clear all run on the task's thread), so a thread sees its own entry without races; other threads only read
   * isEmpty(). The hot path of a bulk job (no pool prepays) reads
   * isEmpty() and takes the limiter's permit: no allocation, no lock beyond the limiter's own. */
  private static final Map<Thread, Credit> CREDITS = new ConcurrentHashMap<>();

  private RatePermits() {}

  /**
   * Charges one permit of {@code limiter} for an HTTP attempt about to be sent: the permit this thread's task
   * prepaid for the same limiter, else one taken now (waiting through {@code sleeper}).
   *
   * @return how long the task waited for its prepaid permit (nanos, so the attempt can tell the limits it waited for
   *     the pace), or -1 when a permit was taken now (the caller measures that wait itself)
   * @throws InterruptedException if interrupted while waiting
   */
  public static long charge(RateLimiter limiter, Sleeper sleeper) throws InterruptedException {
    return charge(limiter, sleeper, true);
  }

  /**
   * {@link #charge(RateLimiter, Sleeper)} for a read ({@code write} false) or a write, for limiters that pace them
   * apart ({@link RateLimiter#acquire(Sleeper, boolean)}); a prepaid permit stands for either.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public static long charge(RateLimiter limiter, Sleeper sleeper, boolean write) throws InterruptedException {
    if (!CREDITS.isEmpty()) {
      long waited = takeCredit(limiter);
      if (waited >= 0) return waited;
    }
    limiter.acquire(sleeper, write);
    return -1;
  }

  /**
   * Takes one permit of {@code limiter} for the task about to run on this thread; the task's first
   * {@link #charge} of the same limiter will use it. Call {@link #clear(Object)} with the returned token when the
   * task ends.
   *
   * <p>The wait is read from {@code ticker} around the limiter's own, so the limiter sleeps through {@code sleeper}
   * itself (a caller asleep towards a far slot parks once and is woken when the pace is raised, not every 100 ms).
   *
   * @return the token of this prepayment, for {@link #clear(Object)}
   * @throws InterruptedException if interrupted while waiting (nothing is then prepaid)
   */
  public static Object prepay(RateLimiter limiter, Sleeper sleeper, Ticker ticker) throws InterruptedException {
    Objects.requireNonNull(limiter, "limiter cannot be null");
    long start = ticker.read();
    limiter.acquire(sleeper);
    long waited = ticker.read() - start;
    Thread me = Thread.currentThread();
    Credit credit = new Credit(limiter, limiter.pauses(), waited, CREDITS.get(me));
    CREDITS.put(me, credit);
    return credit;
  }

  /**
   * The task of the prepayment {@code token} ended: forgets its permit if it was not used, and gives the permit of
   * the task it ran inside (if any) back its place.
   */
  public static void clear(Object token) {
    Thread me = Thread.currentThread();
    Credit c = CREDITS.get(me);
    if (c != token) return; // used by an attempt (which put back the one it stood in front of)
    if (c.outer == null) CREDITS.remove(me);
    else CREDITS.put(me, c.outer);
  }

  /**
   * Gives up this thread's prepaid permit of {@code limiter}, if it holds one, so that the next {@link #charge} takes
   * a fresh one: the call waited for another limit (tokens) since the permit was taken, and a request sent on a permit
   * that old could go out close behind requests whose permits were taken after it.
   */
  public static void forfeit(RateLimiter limiter) {
    if (!CREDITS.isEmpty()) takeCredit(limiter);
  }

  /** Forgets every credit of this thread (tests). */
  static void forgetAll() {
    CREDITS.remove(Thread.currentThread());
  }

  /** True when this thread holds a prepaid permit (tests). */
  static boolean holdsCredit() {
    return CREDITS.containsKey(Thread.currentThread());
  }

  /** The prepaid permit's wait, used up; -1 when this thread holds none for {@code limiter} or it is stale. */
  private static long takeCredit(RateLimiter limiter) {
    Thread me = Thread.currentThread();
    Credit c = CREDITS.get(me);
    if (c == null || c.limiter != limiter) return -1;
    if (c.outer == null) CREDITS.remove(me);
    else CREDITS.put(me, c.outer);
    return c.pauses == limiter.pauses() ? c.waitedNanos : -1; // a pause began since: take a fresh permit behind it
  }

  /**
   * A permit of {@code limiter} taken when it had begun {@code pauses} pauses, after waiting {@code waitedNanos};
   * {@code outer}: the credit of the task this one runs inside, or null.
   */
  private record Credit(RateLimiter limiter, long pauses, long waitedNanos, Credit outer) {}
}
