package dev.ferry.core.time;

import java.util.concurrent.locks.LockSupport;

/** The real clocks: the only place engine code touches System.nanoTime, currentTimeMillis and sleeping. */
enum SystemTime implements Ticker, Sleeper, WallClock {
  INSTANCE;

  @Override
  public long read() {
    return System.nanoTime();
  }

  @Override
  public long millis() {
    return System.currentTimeMillis();
  }

  @Override
  public void sleepNanos(long nanos) throws InterruptedException {
    if (nanos > 0) {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }
  }

  /** One timed park, cut short by the signal: no wake-up before either (no polling). */
  @Override
  public boolean sleepNanos(long nanos, Wakeup wakeup) throws InterruptedException {
    Thread me = Thread.currentThread();
    long deadline = System.nanoTime() + nanos;
    wakeup.enter(me);
    try {
      while (!wakeup.signalled()) {
        if (Thread.interrupted()) throw new InterruptedException();
        long left = deadline - System.nanoTime();
        if (left <= 0) return false;
        LockSupport.parkNanos(wakeup, left);
      }
      return true;
    } finally {
      wakeup.leave(me);
    }
  }
}
