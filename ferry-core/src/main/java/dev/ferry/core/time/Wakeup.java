package dev.ferry.core.time;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * A one-shot signal that cuts short the sleeps waiting on it ({@link Sleeper#sleepNanos(long, Wakeup)}): a rate limiter
 * signals one when it gives up the slots its callers sleep towards. Threadsafe: {@link #signal} may come from any
 * thread, before or during the sleeps; once signalled it stays so.
 */
public final class Wakeup {
  /* Concurrency: a sleeper adds its thread to `sleepers`, then reads `signalled`; signal() writes `signalled`, then
   * unparks every thread in `sleepers`. Both are volatile accesses (the set's add is a CAS), so either the signal sees
   * the sleeper and unparks it, or the sleeper sees the flag and does not park. A set, not a queue: most sleeps end at
   * their time, and one leaves the set in O(1) (a CountDownLatch's waiter that timed out unlinks itself from a queue
   * that a scan may walk: 1,000 callers asleep on one). */
  /** The slice a sleeper that cannot be woken sleeps in, checking the signal between them (the default). */
  static final long POLL_NANOS = 100_000_000L;
  private volatile boolean signalled;
  private final Set<Thread> sleepers = ConcurrentHashMap.newKeySet();

  /** Wakes every sleep waiting on this, now and later. */
  public void signal() {
    signalled = true;
    for (Thread t : sleepers) LockSupport.unpark(t);
  }

  /** Whether {@link #signal} was called. */
  public boolean signalled() {
    return signalled;
  }

  /** The calling thread sleeps on this until {@link #leave} (see the concurrency note). */
  void enter(Thread me) {
    sleepers.add(me);
  }

  void leave(Thread me) {
    sleepers.remove(me);
  }
}
