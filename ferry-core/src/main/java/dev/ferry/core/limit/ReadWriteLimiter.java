package dev.ferry.core.limit;

import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import java.time.Duration;

/**
 * The pace of a target whose limit is learned: reads (GET, HEAD) and writes paced apart, under one shared pace. APIs
 * often limit the two apart (Stripe: 100 reads and 100 writes a second; WorkOS: 1,000 and 500 per 10 s; ferry's
 * simulator: writes only), so a pace learned from refused writes must not hold back the reads of a job that sends
 * both (a lookup, then a create), and the other way round. A target that counts both together refuses both, and each
 * kind learns its share. The shared pace is what the target's rate-limit headers state and what a 429 pauses: both
 * speak for the whole target.
 *
 * <p>{@link #setRate(double)}, {@link #limitWindow} and {@link #countedLate} act on the shared pace,
 * {@link #setRate(boolean, double)} on one kind's, {@link #pauseFor} on all three. A permit taken without a kind ({@link #acquire(Sleeper)},
 * a pool task's prepaid permit) is a write's, the stricter guess. {@link #rate()} is the lowest of the three paces.
 *
 * <p>Concurrency: no state of its own; the three pacers are threadsafe. A caller takes its kind's permit first and the
 * shared one last; a pause that begins while it waits for its kind's slot makes it reserve that slot again behind the
 * pause ({@link RateLimiter#acquire}), and the shared permit holds it back too.
 */
public final class ReadWriteLimiter implements RateLimiter {
  private final SmoothRateLimiter shared;
  private final SmoothRateLimiter reads;
  private final SmoothRateLimiter writes;

  /** Unlimited until paced: every pace infinite. */
  public ReadWriteLimiter(Ticker ticker) {
    this.shared = new SmoothRateLimiter(Double.POSITIVE_INFINITY, 1, ticker);
    this.reads = new SmoothRateLimiter(Double.POSITIVE_INFINITY, 1, ticker);
    this.writes = new SmoothRateLimiter(Double.POSITIVE_INFINITY, 1, ticker);
  }

  /** Paces one kind: reads ({@code write} false) or writes, per second; infinite lifts it. */
  public void setRate(boolean write, double permitsPerSecond) {
    kind(write).setRate(permitsPerSecond);
  }

  /** One kind's pace, per second (infinite when unpaced). */
  public double rate(boolean write) {
    return kind(write).rate();
  }

  /**
   * The target's rate-limit headers take over: the kinds' paces are lifted, and the shared pace goes on from where their
   * schedules end, so the permits they promised before (callers asleep until their slots) are not sent alongside the
   * shared pace's first ones, as one pacer handed from a learned pace to the headers' never did.
   */
  public void paceByHeaders() {
    shared.notBefore(Math.max(reads.nextFreeNanos(), writes.nextFreeNanos()));
    reads.setRate(Double.POSITIVE_INFINITY);
    writes.setRate(Double.POSITIVE_INFINITY);
  }

  private SmoothRateLimiter kind(boolean write) {
    return write ? writes : reads;
  }

  @Override
  public void acquire(Sleeper sleeper, boolean write) throws InterruptedException {
    kind(write).acquire(sleeper);
    shared.acquire(sleeper);
  }

  @Override
  public long reserveNanos(boolean write) {
    return Math.max(kind(write).reserveNanos(), shared.reserveNanos());
  }

  @Override
  public long reserveNanos() {
    return reserveNanos(true);
  }

  /** Takes a write's permit only if the writes' pace and the shared one both have one now. */
  @Override
  public boolean tryAcquire() {
    return writes.tryAcquire() && shared.tryAcquire();
  }

  @Override
  public long pauses() {
    // a kind's pace raised far re-spaces that kind's queue: its callers reserve again too
    return shared.pauses() + reads.pauses() + writes.pauses();
  }

  /**
   * Pauses every kind: each pacer then starts its schedule afresh at the pause end, so the callers held by it leave
   * spaced at their kind's pace, not all at once when it ends (a burst that a window refuses again).
   */
  @Override
  public void pauseFor(Duration pause) {
    reads.pauseFor(pause);
    writes.pauseFor(pause);
    shared.pauseFor(pause);
  }

  @Override
  public double rate() {
    return Math.min(shared.rate(), Math.min(reads.rate(), writes.rate()));
  }

  /** Sets the shared pace (what the target's rate-limit headers state). */
  @Override
  public void setRate(double permitsPerSecond) {
    shared.setRate(permitsPerSecond);
  }

  @Override
  public void limitWindow(int permits, Duration window) {
    shared.limitWindow(permits, window);
  }

  @Override
  public void countedLate(long sentNanos, long lateNanos) {
    shared.countedLate(sentNanos, lateNanos);
  }

  @Override
  public String toString() {
    return "ReadWriteLimiter[shared=" + shared + ", reads=" + reads + ", writes=" + writes + "]";
  }
}
