package dev.ferry.core.metrics;

/** How a task submitted to a live pool ended; each task ends in exactly one. */
public enum TaskOutcome {
  /** The task returned a value. */
  COMPLETED,
  /** The task threw (interrupted ones included). */
  FAILED,
  /** The task's timeout fired first. */
  TIMED_OUT,
  /** The caller cancelled the task's future. */
  CANCELLED,
  /** The pool refused the task at submit. */
  REJECTED,
  /** The task was queued and handed back by {@code shutdownNow} without running. */
  HANDED_BACK
}
