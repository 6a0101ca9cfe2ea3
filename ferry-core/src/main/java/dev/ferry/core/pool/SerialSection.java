package dev.ferry.core.pool;

import dev.ferry.core.time.Ticker;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fair mutex for the part of a task that must run one at a time (seed 004's stream mutex around {@code
 * SendMsg}). Each pass records how long the caller waited to enter and how long it held the section; the
 * totals appear in the owning pool's {@link PoolMetrics}, so a section that serialises the pool shows up as
 * such. Get it from {@link LivePool#serialSection()}.
 *
 * <p>This class is threadsafe. It is not reentrant: a {@link #run} inside a {@link #run} of the same thread
 * throws {@link IllegalStateException} instead of counting the inner pass twice.
 */
public final class SerialSection {
  /* Concurrency: one fair ReentrantLock (FIFO turns, no virtual-thread pinning, unlike synchronized on JDK
   * 21). Invariant: at most one thread is inside work.call() at a time. The totals are LongAdders updated
   * after the pass, outside the lock, so reading them never waits for the holder; a snapshot may miss a pass
   * that is ending at that moment, never count one twice. */
  private final ReentrantLock lock = new ReentrantLock(true);
  private final Ticker ticker;
  private final LongAdder passes = new LongAdder();
  private final LongAdder waitNanos = new LongAdder();
  private final LongAdder holdNanos = new LongAdder();

  SerialSection(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker cannot be null");
  }

  /**
   * Waits for the section, runs {@code work} inside it and returns its result.
   *
   * @throws InterruptedException if interrupted while waiting to enter (work does not run)
   * @throws IllegalStateException if the calling thread is already inside this section
   * @throws Exception whatever {@code work} throws
   */
  public <T> T run(Callable<T> work) throws Exception {
    Objects.requireNonNull(work, "work cannot be null");
    if (lock.isHeldByCurrentThread()) throw new IllegalStateException("already inside this serial section");
    long arrived = ticker.read();
    lock.lockInterruptibly();
    long entered = ticker.read();
    try {
      return work.call();
    } finally {
      long left = ticker.read();
      lock.unlock();
      passes.increment();
      waitNanos.add(entered - arrived);
      holdNanos.add(left - entered);
    }
  }

  /** Threads waiting to enter now (for tests that sequence threads). */
  int waiting() {
    return lock.getQueueLength();
  }

  long passes() {
    return passes.sum();
  }

  long waitNanos() {
    return waitNanos.sum();
  }

  long holdNanos() {
    return holdNanos.sum();
  }
}
