package dev.ferry.core.exec;

import dev.ferry.core.time.Scheduler;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The executor's per-call timeout, written once: one task's run on the calling thread, between {@link #begin()}
 * and {@link #end()}, with a timer started by {@link #startTimer}. When the timer fires first, its action decides
 * whether the timeout won (say, by completing the task's future) and, if so, the thread is interrupted, but only
 * while the run is between begin and end: an interrupt meant for this run never reaches the thread's next task or a
 * caller's thread that ran the task itself, and one delivered is cleared at {@link #end()}. {@link #interrupt()}
 * does the same for a shutdown. Used by the live pool's tasks ({@code core.pool.PoolTask}).
 *
 * <p>This class is threadsafe; {@code begin}, {@code startTimer} and {@code end} are called by the running thread.
 */
public final class TimedRun {
  /* Concurrency: `thread`, `running` and `interruptedByUs` are guarded by `lock`. An interrupt is only delivered
   * while `running` (set at begin, cleared at end), and end clears an interrupt this class delivered:
   *   A (timeout or shutdown): lock; running -> interrupt, interruptedByUs = true; unlock
   *   B (runner, at end):      lock; running = false; unlock; if interruptedByUs: Thread.interrupted()
   * Either A takes the lock first (B then clears the flag) or B does (A then interrupts nobody). `timer` is
   * written and read by the running thread only. */
  private final ReentrantLock lock = new ReentrantLock();
  /** @GuardedBy("lock") */
  private Thread thread;
  /** @GuardedBy("lock") */
  private boolean running;
  /** @GuardedBy("lock") */
  private boolean interruptedByUs;
  /** The running thread's own. */
  private Scheduler.Cancellable timer;

  /** Running thread: the run begins; from now until {@link #end()} it can be interrupted by this class. */
  public void begin() {
    set(true);
  }

  /**
   * Running thread: starts the timeout ({@code timeoutNanos} from now; none when not positive). When it fires before
   * {@link #end()} and {@code timedOut} returns true, the run is interrupted.
   */
  public void startTimer(Scheduler scheduler, long timeoutNanos, java.util.function.BooleanSupplier timedOut) {
    if (timeoutNanos <= 0) return;
    timer = scheduler.schedule(() -> {
      if (timedOut.getAsBoolean()) interrupt();
    }, timeoutNanos);
  }

  /** Running thread: the run ended; the timer is called off and an interrupt this class delivered is cleared. */
  public void end() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    set(false);
  }

  /** Interrupts the running thread if the run is between begin and end now (a timeout, a shutdown). */
  public void interrupt() {
    lock.lock();
    try {
      if (running) {
        thread.interrupt();
        interruptedByUs = true;
      }
    } finally {
      lock.unlock();
    }
  }

  private void set(boolean on) {
    boolean clear;
    lock.lock();
    try {
      running = on;
      thread = on ? Thread.currentThread() : null;
      clear = !on && interruptedByUs;
      interruptedByUs = false;
    } finally {
      lock.unlock();
    }
    if (clear) Thread.interrupted();
  }
}
