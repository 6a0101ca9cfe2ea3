package dev.ferry.testing;

import dev.ferry.core.pool.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Virtual-time {@link Scheduler}: actions are due at the {@link FakeTicker}'s reading plus their delay, and run
 * on the test's thread, in due order, when the test calls {@link #advance}. Threadsafe.
 */
public final class FakeScheduler implements Scheduler {
  private final FakeTicker ticker;
  private final List<Timer> timers = new ArrayList<>();
  private long sequence;

  public FakeScheduler(FakeTicker ticker) {
    this.ticker = ticker;
  }

  @Override
  public synchronized Cancellable schedule(Runnable action, long delayNanos) {
    Timer t = new Timer(ticker.read() + delayNanos, sequence++, action);
    timers.add(t);
    return () -> {
      synchronized (FakeScheduler.this) {
        return timers.remove(t);
      }
    };
  }

  /** Moves virtual time forward by {@code d}, running every action that falls due, each at its due time. */
  public void advance(Duration d) {
    long end = ticker.read() + d.toNanos();
    while (true) {
      Timer next;
      synchronized (this) {
        next = timers.stream().filter(t -> t.due <= end)
            .min(Comparator.comparingLong(Timer::due).thenComparingLong(Timer::seq)).orElse(null);
        if (next != null) timers.remove(next);
      }
      if (next == null) break;
      if (next.due > ticker.read()) ticker.advance(Duration.ofNanos(next.due - ticker.read()));
      next.action.run();
    }
    if (end > ticker.read()) ticker.advance(Duration.ofNanos(end - ticker.read()));
  }

  /** Actions scheduled and neither run nor cancelled. */
  public synchronized int pending() {
    return timers.size();
  }

  private record Timer(long due, long seq, Runnable action) {}
}
