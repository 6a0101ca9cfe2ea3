package dev.ferry.sim;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The serialised section: every API call waits its turn for one global lock, then holds it for
 * {@code hold} (deliberately sleeping under the lock, like a shared stream mutex). A zero hold skips
 * the lock entirely. Threadsafe.
 */
final class SerialSection {
  /* Concurrency: one fair ReentrantLock (FIFO turns, no virtual-thread pinning). This is the only place
   * in the simulator that sleeps while holding a lock; nothing else is taken while it is held. */
  private final Duration hold;
  private final SimClock clock;
  private final ReentrantLock lock = new ReentrantLock(true);

  SerialSection(Duration hold, SimClock clock) {
    this.hold = hold;
    this.clock = clock;
  }

  /**
   * Waits for the lock and holds it for {@code hold}.
   *
   * @return nanoseconds spent waiting for the lock
   * @throws InterruptedException if interrupted while waiting or holding
   */
  long pass() throws InterruptedException {
    if (hold.isZero()) {
      return 0;
    }
    long start = clock.nanoTime();
    lock.lockInterruptibly();
    try {
      long waited = clock.nanoTime() - start;
      clock.sleep(hold);
      return waited;
    } finally {
      lock.unlock();
    }
  }

  /** For tests: how many callers are waiting for the lock. */
  int queueLength() {
    return lock.getQueueLength();
  }
}
