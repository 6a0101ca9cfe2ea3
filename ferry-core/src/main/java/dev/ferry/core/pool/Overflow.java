package dev.ferry.core.pool;

/** What {@link LivePool#submit} does when every slot is busy and the queue is full. */
public enum Overflow {
  /** The submitting thread waits until the queue has room (backpressure). */
  BLOCK,
  /** The submit throws {@link PoolRejectedException} at once. */
  REJECT,
  /** The submitting thread runs the task itself, outside the pool's concurrency limit (backpressure). */
  CALLER_RUNS
}
