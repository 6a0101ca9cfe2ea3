package dev.ferry.core.pool;

import dev.ferry.core.metrics.TaskOutcome;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One submitted task and its future: runs the callable once (after the pool's rate limiter, under its
 * timeout) and settles the future. Threadsafe.
 */
final class PoolTask<T> {
  /* Concurrency: the future is settled by whoever completes it first: the running thread (value or
   * exception), the timeout (TaskTimeoutException), shutdownNow (cancel, only while queued) or the caller
   * (cancel). The winner alone counts the outcome, so each task is counted exactly once.
   *
   * `thread`, `running` and `interruptedByPool` are guarded by `lock`. An interrupt is only delivered while
   * `running` (set before the callable starts, cleared right after it returns), so a late timeout can never
   * interrupt the next task of a caller thread; the runner clears an interrupt the pool delivered once its
   * callable returned:
   *   A (timeout): lock; running -> interrupt, interruptedByPool = true; unlock
   *   B (runner):  call returns; lock; running = false; unlock; if interruptedByPool: Thread.interrupted()
   * Either A takes the lock first (B then clears the flag) or B does (A then interrupts nobody). */
  final Callable<T> callable;
  final CompletableFuture<T> future = new CompletableFuture<>();
  final long timeoutNanos;
  final boolean callerRuns;
  /** When the task entered the queue (ticker nanos); written before it is published through the pool lock. */
  long queuedAt;
  private final LivePool pool;
  private final ReentrantLock lock = new ReentrantLock();
  /** @GuardedBy("lock") */
  private Thread thread;
  /** @GuardedBy("lock") */
  private boolean running;
  /** @GuardedBy("lock") */
  private boolean interruptedByPool;

  PoolTask(LivePool pool, Callable<T> callable, long timeoutNanos, boolean callerRuns) {
    this.pool = pool;
    this.callable = callable;
    this.timeoutNanos = timeoutNanos;
    this.callerRuns = callerRuns;
  }

  /** Runs the task on the calling thread and settles its future; never throws. */
  void run() {
    if (future.isCancelled()) {
      pool.record(TaskOutcome.CANCELLED);
      return;
    }
    setRunning(true);
    Scheduler.Cancellable timer = null;
    T value = null;
    Throwable error = null;
    try {
      pool.passRateLimiter();
      if (timeoutNanos > 0) timer = pool.scheduler().schedule(this::timeOut, timeoutNanos);
      value = callable.call();
    } catch (Throwable t) {
      error = t;
    } finally {
      if (timer != null) timer.cancel();
      setRunning(false);
      pool.leaveRateLimiter();
    }
    boolean won = error == null ? future.complete(value) : future.completeExceptionally(error);
    if (won) {
      pool.record(error == null ? TaskOutcome.COMPLETED : TaskOutcome.FAILED);
    } else if (future.isCancelled()) {
      pool.record(TaskOutcome.CANCELLED);
    } // else the timeout won and counted itself
  }

  /** Called by the scheduler when the timeout is due. */
  private void timeOut() {
    if (future.completeExceptionally(new TaskTimeoutException(pool.name(), Duration.ofNanos(timeoutNanos)))) {
      pool.record(TaskOutcome.TIMED_OUT);
      interrupt();
    }
  }

  /** Interrupts the task's thread if its callable is running now. */
  void interrupt() {
    lock.lock();
    try {
      if (running) {
        thread.interrupt();
        interruptedByPool = true;
      }
    } finally {
      lock.unlock();
    }
  }

  private void setRunning(boolean on) {
    boolean clear;
    lock.lock();
    try {
      running = on;
      thread = on ? Thread.currentThread() : null;
      clear = !on && interruptedByPool;
      interruptedByPool = false;
    } finally {
      lock.unlock();
    }
    if (clear) Thread.interrupted();
  }
}
