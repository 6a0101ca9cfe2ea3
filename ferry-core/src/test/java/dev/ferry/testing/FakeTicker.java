package dev.ferry.testing;

import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.WallClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Virtual time for tests: reading it never changes it; sleeping advances it instantly and is recorded. */
public final class FakeTicker implements Ticker, Sleeper, WallClock {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final List<Long> sleeps = new CopyOnWriteArrayList<>();

  @Override
  public long read() {
    return nanos.get();
  }

  @Override
  public long millis() {
    return nanos.get() / 1_000_000;
  }

  @Override
  public void sleepNanos(long n) {
    sleeps.add(n);
    if (n > 0) nanos.addAndGet(n);
  }

  public void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  public List<Long> sleeps() {
    return sleeps;
  }
}
