package dev.ferry.core.time;

/**
 * A source of monotonic nanoseconds: the one seam through which engine code reads time, so that tests can
 * drive rate limiters, backoff and leases in virtual time. Implementations are threadsafe.
 */
@FunctionalInterface
public interface Ticker {
  /** Current reading in nanoseconds; only differences between readings are meaningful. */
  long read();

  /** The system's monotonic clock. */
  static Ticker system() {
    return SystemTime.INSTANCE;
  }
}
