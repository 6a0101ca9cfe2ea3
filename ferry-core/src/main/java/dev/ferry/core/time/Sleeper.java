package dev.ferry.core.time;

/** Waits for a duration: the seam that lets tests replace real sleeping with virtual time. Threadsafe. */
@FunctionalInterface
public interface Sleeper {
  /** @throws InterruptedException if interrupted while waiting */
  void sleepNanos(long nanos) throws InterruptedException;

  static Sleeper system() {
    return SystemTime.INSTANCE;
  }
}
