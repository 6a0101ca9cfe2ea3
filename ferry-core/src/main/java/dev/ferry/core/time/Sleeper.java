package dev.ferry.core.time;

/** Waits for a duration: the seam that lets tests replace real sleeping with virtual time. Threadsafe. */
@FunctionalInterface
public interface Sleeper {
  /** @throws InterruptedException if interrupted while waiting */
  void sleepNanos(long nanos) throws InterruptedException;

  /**
   * Sleeps up to {@code nanos}, and less when {@code wakeup} is signalled first (or was already). The system sleeper
   * parks once until either. This default, for a sleeper that only knows {@link #sleepNanos(long)} (virtual time, a
   * wrapper), sleeps one slice of at most 100 ms: the caller reads its clock and sleeps again for what is left, so a
   * sleep that wakes late is not added up slice after slice.
   *
   * @return true when {@code wakeup} was signalled; false when it was not (the time may not all be slept)
   * @throws InterruptedException if interrupted while waiting
   */
  default boolean sleepNanos(long nanos, Wakeup wakeup) throws InterruptedException {
    if (wakeup.signalled()) return true;
    sleepNanos(Math.min(nanos, Wakeup.POLL_NANOS));
    return wakeup.signalled();
  }

  static Sleeper system() {
    return SystemTime.INSTANCE;
  }
}
