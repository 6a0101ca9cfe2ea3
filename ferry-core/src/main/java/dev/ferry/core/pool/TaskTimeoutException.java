package dev.ferry.core.pool;

import java.time.Duration;

/**
 * A task of a {@link LivePool} ran longer than its timeout: its future completes exceptionally with this
 * exception and its thread is interrupted. The unchecked counterpart of {@link
 * java.util.concurrent.TimeoutException}.
 */
public final class TaskTimeoutException extends RuntimeException {
  private final Duration timeout;

  TaskTimeoutException(String pool, Duration timeout) {
    super("task of pool '" + pool + "' timed out after " + timeout + " and was interrupted");
    this.timeout = timeout;
  }

  /** The timeout the task exceeded. */
  public Duration timeout() {
    return timeout;
  }
}
