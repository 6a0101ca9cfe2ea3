package dev.ferry.sim;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Virtual time for tests: time moves only through {@link #advance}; {@link #sleep} records the duration
 * and returns at once, or waits while the gate is closed. Threadsafe.
 */
final class ManualClock implements SimClock {
  /** 2026-01-01T00:00:00Z. */
  static final long EPOCH_MILLIS = 1_767_225_600_000L;

  private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch gate;

  void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }

  /** Sleeps from now on wait until {@link #openGate()}. */
  void closeGate() {
    gate = new CountDownLatch(1);
  }

  void openGate() {
    CountDownLatch current = gate;
    gate = null;
    if (current != null) {
      current.countDown();
    }
  }

  /** Every positive sleep requested so far. */
  List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public long epochMillis() {
    return EPOCH_MILLIS + nanos.get() / 1_000_000;
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (!duration.isPositive()) {
      return;
    }
    sleeps.add(duration);
    CountDownLatch current = gate;
    if (current != null) {
      current.await();
    }
  }
}
