package dev.ferry.core.time;

/**
 * Runs an action once after a delay: the seam through which timeouts and timed flushes reach real time, so that
 * tests drive them in virtual time ({@code testing.FakeScheduler}). The system one is
 * {@code dev.ferry.core.pool.Scheduler.system()}. Implementations are threadsafe.
 */
@FunctionalInterface
public interface Scheduler {
  /**
   * Runs {@code action} once, {@code delayNanos} from now (at once when not positive), unless cancelled first.
   * An action must not assume the thread it runs on; the system scheduler gives each its own virtual thread.
   */
  Cancellable schedule(Runnable action, long delayNanos);

  /** A scheduled action that may still be called off. Threadsafe. */
  @FunctionalInterface
  interface Cancellable {
    /** Calls the action off; false when it already ran or was cancelled. */
    boolean cancel();
  }
}
