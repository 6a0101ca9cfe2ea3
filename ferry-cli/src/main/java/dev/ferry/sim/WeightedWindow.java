package dev.ferry.sim;

/**
 * One weighted limit counted in fixed windows aligned to its creation: at most {@code limit} units (requests or
 * tokens) per window. Pure bookkeeping: the caller passes the time, so tests drive it in virtual time.
 *
 * <p>Not threadsafe: its owner ({@link EmbeddingsLimits}) guards it.
 */
final class WeightedWindow {
  private final long limit;
  private final long windowNanos;
  private final long origin;
  private long index;
  private long used;

  WeightedWindow(long limit, long windowNanos, long originNanos) {
    if (limit < 1) throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    if (windowNanos < 1) throw new IllegalArgumentException("window must be positive, was " + windowNanos);
    this.limit = limit;
    this.windowNanos = windowNanos;
    this.origin = originNanos;
  }

  /** Moves to the window {@code now} falls in (a new one starts empty). */
  void advanceTo(long now) {
    long current = Math.floorDiv(now - origin, windowNanos);
    if (current != index) {
      index = current;
      used = 0;
    }
  }

  long limit() {
    return limit;
  }

  long used() {
    return used;
  }

  long remaining() {
    return Math.max(0, limit - used);
  }

  boolean fits(long weight) {
    return used + weight <= limit;
  }

  void take(long weight) {
    used += weight;
  }

  /** Until the window's quota is whole again: 0 when nothing is used, else until the window ends. */
  long resetNanos(long now) {
    return used == 0 ? 0 : origin + (index + 1) * windowNanos - now;
  }
}
