package dev.ferry.core.time;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot signal that cuts short the sleeps waiting on it ({@link Sleeper#sleepNanos(long, Wakeup)}): a rate limiter
 * signals one when it gives up the slots its callers sleep towards. Threadsafe: {@link #signal} may come from any
 * thread, before or during the sleeps; once signalled it stays so.
 */
public final class Wakeup {
  /** The slice a sleeper that cannot be woken sleeps in, checking the signal between them (the default). */
  static final long POLL_NANOS = 100_000_000L;
  private final CountDownLatch latch = new CountDownLatch(1);

  /** Wakes every sleep waiting on this, now and later. */
  public void signal() {
    latch.countDown();
  }

  /** Whether {@link #signal} was called. */
  public boolean signalled() {
    return latch.getCount() == 0;
  }

  /** Parks the calling thread up to {@code nanos} or until signalled; true when signalled. */
  boolean await(long nanos) throws InterruptedException {
    return latch.await(nanos, TimeUnit.NANOSECONDS);
  }
}
