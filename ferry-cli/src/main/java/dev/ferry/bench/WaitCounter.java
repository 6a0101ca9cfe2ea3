package dev.ferry.bench;

import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.Wakeup;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link Sleeper} that adds up the time its callers spend asleep (a rate permit, a 429's pause, a retry's back-off),
 * read from a ticker around the delegate's sleep: a sleep cut short by a {@link Wakeup} counts what it slept, and the
 * delegate's wakeable sleep is kept (a caller asleep towards a far slot parks once, not every 100 ms). Threadsafe: the
 * sum is a {@link LongAdder}, read while callers add to it.
 */
final class WaitCounter implements Sleeper {
  private final Sleeper delegate;
  private final Ticker ticker;
  private final LongAdder nanos = new LongAdder();

  WaitCounter(Sleeper delegate, Ticker ticker) {
    this.delegate = delegate;
    this.ticker = ticker;
  }

  @Override
  public void sleepNanos(long wait) throws InterruptedException {
    if (wait <= 0) return;
    long start = ticker.read();
    try {
      delegate.sleepNanos(wait);
    } finally {
      nanos.add(ticker.read() - start);
    }
  }

  @Override
  public boolean sleepNanos(long wait, Wakeup wakeup) throws InterruptedException {
    long start = ticker.read();
    try {
      return delegate.sleepNanos(wait, wakeup);
    } finally {
      nanos.add(ticker.read() - start);
    }
  }

  /** Nanoseconds spent asleep so far, by every caller. */
  long nanos() {
    return nanos.sum();
  }
}
