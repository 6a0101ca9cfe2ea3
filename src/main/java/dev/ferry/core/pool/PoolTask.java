package dev.ferry.core.pool;

import dev.ferry.core.exec.TimedRun;
import dev.ferry.core.metrics.TaskOutcome;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * One submitted task and its future: runs the callable once (after the pool's rate limiter, under its
 * timeout, through the executor's {@link TimedRun}) and settles the future. Threadsafe.
 */
final class PoolTask<T> {
  /* Concurrency: the future is settled by whoever completes it first: the running thread (value or
   * exception), the timeout (TaskTimeoutException), shutdownNow (cancel, only while queued) or the caller
   * (cancel). The winner alone counts the outcome, so each task is counted exactly once. Interrupts (timeout,
   * shutdownNow) go through `run`, which delivers them only while the callable (or its wait for the rate
   * limiter) runs and clears them after: see TimedRun. */
  final Callable<T> callable;
  final CompletableFuture<T> future = new CompletableFuture<>();
  final long timeoutNanos;
  final boolean callerRuns;
  /** When the task entered the queue (ticker nanos); written before it is published through the pool lock. */
  long queuedAt;
  private final LivePool pool;
  private final TimedRun run = new TimedRun();

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
    run.begin();
    T value = null;
    Throwable error = null;
    Object prepaid = null;
    try {
      prepaid = pool.passRateLimiter();
      run.startTimer(pool.scheduler(), timeoutNanos, this::timeOut);
      value = callable.call();
    } catch (Throwable t) {
      error = t;
    } finally {
      run.end();
      pool.leaveRateLimiter(prepaid);
    }
    boolean won = error == null ? future.complete(value) : future.completeExceptionally(error);
    if (won) {
      pool.record(error == null ? TaskOutcome.COMPLETED : TaskOutcome.FAILED);
    } else if (future.isCancelled()) {
      pool.record(TaskOutcome.CANCELLED);
    } // else the timeout won and counted itself
  }

  /** The timer fired: true (and counted) when the timeout settled the future first; the run is then interrupted. */
  private boolean timeOut() {
    if (future.completeExceptionally(new TaskTimeoutException(pool.name(), Duration.ofNanos(timeoutNanos)))) {
      pool.record(TaskOutcome.TIMED_OUT);
      return true;
    }
    return false;
  }

  /** Interrupts the task's thread if its callable is running now. */
  void interrupt() {
    run.interrupt();
  }
}
