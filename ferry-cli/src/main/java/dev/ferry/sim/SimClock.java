package dev.ferry.sim;

import java.time.Duration;

/**
 * The simulator's only access to time: a monotonic ticker, wall-clock millis for timestamps, and
 * sleeping. Tests swap in a manual clock so latency, hangs, rate limits and the serialised section run
 * in virtual time. Implementations are threadsafe.
 */
interface SimClock {
  /** Monotonic nanoseconds; only differences are meaningful. */
  long nanoTime();

  /** Wall-clock milliseconds since the epoch, for {@code created_at}. */
  long epochMillis();

  /** Sleeps for {@code duration} (no-op when zero or negative). @throws InterruptedException if interrupted */
  void sleep(Duration duration) throws InterruptedException;

  static SimClock system() {
    return SystemClock.INSTANCE;
  }

  /** The real clock: {@link System#nanoTime()}, {@link System#currentTimeMillis()}, {@link Thread#sleep}. */
  enum SystemClock implements SimClock {
    INSTANCE;

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public long epochMillis() {
      return System.currentTimeMillis();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
      if (duration.isPositive()) {
        Thread.sleep(duration);
      }
    }
  }
}
