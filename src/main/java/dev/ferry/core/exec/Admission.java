package dev.ferry.core.exec;

import dev.ferry.core.limit.ConcurrencyLimiter;

/**
 * How many tasks may run at once: the admission of a {@link TaskExecutor}. {@link #fixed} is a fixed number of
 * permits; {@link #adaptive} enforces a {@link ConcurrencyLimiter}, whose limit its algorithm moves as samples
 * arrive (from every HTTP attempt, for a job). One admission given to several fronts (a bulk job and a live pool,
 * say) bounds their tasks together.
 *
 * <p>Every successful {@link #acquire()} or {@link #tryAcquire()} is matched by exactly one {@link #release()}.
 * Implementations are threadsafe.
 */
public interface Admission {

  /** {@code permits} tasks at once. @throws IllegalArgumentException if below 1 */
  static Admission fixed(int permits) {
    return new FixedAdmission(permits);
  }

  /** As many tasks at once as {@code limiter}'s limit allows now. @throws NullPointerException if null */
  static Admission adaptive(ConcurrencyLimiter limiter) {
    return new AdaptiveAdmission(limiter);
  }

  /** Waits for a permit. @throws InterruptedException if interrupted while waiting */
  void acquire() throws InterruptedException;

  /** Takes a permit only if one is free now. */
  boolean tryAcquire();

  /** Gives a permit back. */
  void release();

  /** Tasks that may run at once now. */
  int limit();
}
