package dev.ferry.core.pool;

import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link LivePool} refused a task: its queue was full under {@link Overflow#REJECT}, it was shut down, or
 * the submitter was interrupted while waiting for room under {@link Overflow#BLOCK}. The task never ran.
 */
public final class PoolRejectedException extends RejectedExecutionException {
  private final String pool;
  private final int queueCapacity;
  private final int queued;

  PoolRejectedException(String pool, String why, int queueCapacity, int queued, int running, Throwable cause) {
    super("pool '" + pool + "' rejected a task: " + why + " (queue capacity " + queueCapacity + ", queued "
        + queued + ", running " + running + ")", cause);
    this.pool = pool;
    this.queueCapacity = queueCapacity;
    this.queued = queued;
  }

  /** The name of the pool that refused the task. */
  public String pool() {
    return pool;
  }

  /** The pool's queue capacity. */
  public int queueCapacity() {
    return queueCapacity;
  }

  /** Tasks waiting in the queue when the task was refused. */
  public int queued() {
    return queued;
  }
}
