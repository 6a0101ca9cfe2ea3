package dev.ferry.core.limit;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Enforces a concurrency limit computed by a {@link Limit}: a semaphore whose size the algorithm changes as
 * samples arrive. One instance is shared by a whole job, so the limit bounds rows in flight across all
 * workers; samples may come from anywhere (for HTTP, from every attempt).
 *
 * <p>A permit is taken with {@link #acquire()} (blocking) or {@link #tryAcquire()} and returned with
 * {@link #release()}; samples go to {@link #onSample}, which passes the current in-flight count to the
 * algorithm. When the limit shrinks below the permits already out, nobody is interrupted: new acquisitions
 * wait until enough permits came back.
 *
 * <p>This class is threadsafe.
 */
public final class ConcurrencyLimiter {
  /*
   * Concurrency: `algorithm`, `inflight` and the peaks are guarded by `lock`; `limit` is written under it
   * and volatile so limit() reads without locking. Invariants: inflight >= 0; acquire() increments
   * inflight only while inflight < limit, so inflight exceeds the limit only right after the limit shrank,
   * and then no permit is granted until enough came back. Waiters (at most one per open chunk) are woken
   * with signalAll whenever a permit returns or the limit grows, and re-check the condition under the lock.
   */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** @GuardedBy("lock") */
  private final Limit algorithm;
  /** Written under {@code lock}. */
  private volatile int limit;
  /** @GuardedBy("lock") */
  private int inflight;
  /** @GuardedBy("lock") */
  private int peakLimit;
  /** @GuardedBy("lock") */
  private int lowLimit;

  private ConcurrencyLimiter(Limit algorithm) {
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm cannot be null");
    this.limit = algorithm.limit();
    this.peakLimit = limit;
    this.lowLimit = limit;
  }

  /** A limiter enforcing what {@code algorithm} computes. @throws NullPointerException if null */
  public static ConcurrencyLimiter of(Limit algorithm) {
    return new ConcurrencyLimiter(algorithm);
  }

  /** Waits for a permit. @throws InterruptedException if interrupted while waiting */
  public void acquire() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (inflight >= limit) changed.await();
      inflight++;
    } finally {
      lock.unlock();
    }
  }

  /** Waits at most {@code timeout} for a permit; false when none came. @throws InterruptedException */
  public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lockInterruptibly();
    try {
      while (inflight >= limit) {
        if (nanos <= 0) return false;
        nanos = changed.awaitNanos(nanos);
      }
      inflight++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Takes a permit only if one is free now. */
  public boolean tryAcquire() {
    lock.lock();
    try {
      if (inflight >= limit) return false;
      inflight++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Returns a permit. @throws IllegalStateException if none is out */
  public void release() {
    lock.lock();
    try {
      if (inflight == 0) throw new IllegalStateException("release() without a permit");
      inflight--;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Feeds one sample to the algorithm (see {@link Limit#onSample}) with the permits out now as the in-flight
   * count, and applies the limit it returns.
   */
  public void onSample(long startNanos, long rttNanos, boolean dropped) {
    onSample(startNanos, rttNanos, -1, dropped);
  }

  /**
   * Feeds one sample with an in-flight count measured elsewhere (say, requests actually sent, when permit
   * holders also wait for a rate limiter), or the permits out now when {@code inflight} is negative.
   */
  public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
    lock.lock();
    try {
      int seen = inflight < 0 ? this.inflight : inflight;
      int next = Math.max(1, algorithm.onSample(startNanos, rttNanos, seen, dropped));
      if (next != limit) {
        boolean grew = next > limit;
        limit = next;
        peakLimit = Math.max(peakLimit, next);
        lowLimit = Math.min(lowLimit, next);
        if (grew) changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The current limit. */
  public int limit() {
    return limit;
  }

  /** Permits out now. */
  public int inflight() {
    lock.lock();
    try {
      return inflight;
    } finally {
      lock.unlock();
    }
  }

  /** Highest limit so far. */
  public int peakLimit() {
    lock.lock();
    try {
      return peakLimit;
    } finally {
      lock.unlock();
    }
  }

  /** Lowest limit so far. */
  public int lowestLimit() {
    lock.lock();
    try {
      return lowLimit;
    } finally {
      lock.unlock();
    }
  }

  /** The algorithm's own description (phase, baseline), for logs. */
  public String describe() {
    lock.lock();
    try {
      return algorithm.toString();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "ConcurrencyLimiter[limit=" + limit + ", inflight=" + inflight() + "]";
  }
}
