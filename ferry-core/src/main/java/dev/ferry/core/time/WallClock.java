package dev.ferry.core.time;

/** Wall-clock epoch milliseconds (for leases and timestamps stored across processes). Threadsafe. */
@FunctionalInterface
public interface WallClock {
  long millis();

  static WallClock system() {
    return SystemTime.INSTANCE;
  }
}
