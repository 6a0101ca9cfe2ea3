package dev.ferry.core.pool;

/**
 * The time seam of the pool's task timeouts and the batcher's {@code maxWait} (the engine's
 * {@link dev.ferry.core.time.Scheduler}, under the name the pool's builder has always taken), so that tests drive
 * them in virtual time. Implementations are threadsafe.
 */
@FunctionalInterface
public interface Scheduler extends dev.ferry.core.time.Scheduler {

  /** One timer thread for the whole JVM; each action runs on a new virtual thread so none delays another. */
  static Scheduler system() {
    return SystemScheduler.INSTANCE;
  }
}
