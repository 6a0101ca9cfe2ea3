package dev.ferry.core.pool;

/**
 * Runs an action once after a delay: the seam through which the pool's task timeouts and the batcher's
 * {@code maxWait} reach real time, so that tests drive them in virtual time. Implementations are threadsafe.
 */
@FunctionalInterface
public interface Scheduler {
  /**
   * Runs {@code action} once, {@code delayNanos} from now (at once when not positive), unless cancelled first.
   * An action must not assume the thread it runs on; the system scheduler gives each its own virtual thread.
   */
  Cancellable schedule(Runnable action, long delayNanos);

  /** One timer thread for the whole JVM; each action runs on a new virtual thread so none delays another. */
  static Scheduler system() {
    return SystemScheduler.INSTANCE;
  }

  /** A scheduled action that may still be called off. Threadsafe. */
  @FunctionalInterface
  interface Cancellable {
    /** Calls the action off; false when it already ran or was cancelled. */
    boolean cancel();
  }
}
