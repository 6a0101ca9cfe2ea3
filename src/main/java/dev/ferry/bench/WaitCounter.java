package dev.ferry.bench;

import dev.ferry.core.time.Sleeper;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link Sleeper} that adds up every wait it is asked for (a rate permit, a 429's pause, a retry's back-off)
 * before sleeping it. Threadsafe: the sum is a {@link LongAdder}, read while callers add to it.
 */
final class WaitCounter implements Sleeper {
  private final Sleeper delegate;
  private final LongAdder nanos = new LongAdder();

  WaitCounter(Sleeper delegate) {
    this.delegate = delegate;
  }

  @Override
  public void sleepNanos(long wait) throws InterruptedException {
    if (wait > 0) nanos.add(wait);
    delegate.sleepNanos(wait);
  }

  /** Nanoseconds asked for so far, by every caller. */
  long nanos() {
    return nanos.sum();
  }
}
