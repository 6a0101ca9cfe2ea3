package dev.ferry.sim;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The serialised section: every API call waits its turn for one global lock, then holds it for
 * {@code hold} (deliberately sleeping under the lock, like a shared stream mutex). A zero hold skips
 * the lock entirely. Threadsafe.
 *
 * <p>Turns are kept on a schedule, so that a saturated section serves exactly one call per {@code hold}
 * however late the sleeping holder wakes or the next waiter gets the lock (on a busy host both can take a
 * good part of a millisecond, which would otherwise turn a 2 ms section into a 2.8 ms one). A caller that
 * queued behind the previous holder begins its turn when that turn was due to end, and a late one shortens
 * its sleep by its lateness. Lateness is made up for at most {@link #CATCH_UP_TURNS} turns, so a stall
 * (a GC pause, a starved CPU) is absorbed without letting the section serve a long burst above its rate.
 */
final class SerialSection {
  /* Concurrency: one fair ReentrantLock (FIFO turns, no virtual-thread pinning). This is the only place
   * in the simulator that sleeps while holding a lock; nothing else is taken while it is held. */
  private final Duration hold;
  private final SimClock clock;
  private final ReentrantLock lock = new ReentrantLock(true);
  /** How many turns of lateness a queued caller may make up. */
  static final int CATCH_UP_TURNS = 20;

  /** When the latest turn is due to end (clock nanos). Guarded by {@code lock}. */
  private long lastEnd = Long.MIN_VALUE / 2;

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
    return passArrivedAt(clock.nanoTime());
  }

  /** {@link #pass()} for a caller that arrived at {@code start} (clock nanos). */
  long passArrivedAt(long start) throws InterruptedException {
    long holdNanos = hold.toNanos();
    lock.lockInterruptibly();
    try {
      long now = clock.nanoTime();
      long begin = Math.max(Math.max(start, lastEnd), now - CATCH_UP_TURNS * holdNanos);
      lastEnd = begin + holdNanos;
      long sleep = Math.min(holdNanos, lastEnd - now);
      if (sleep > 0) clock.sleep(sleep == holdNanos ? hold : Duration.ofNanos(sleep));
      return now - start;
    } finally {
      lock.unlock();
    }
  }

  /** For tests: how many callers are waiting for the lock. */
  int queueLength() {
    return lock.getQueueLength();
  }
}
