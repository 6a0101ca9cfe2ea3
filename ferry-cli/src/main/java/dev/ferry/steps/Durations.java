package dev.ferry.steps;

import java.time.Duration;

/** Durations as the spec writes them ({@code 50ms}, {@code 1s}, {@code 1m}). Stateless. */
final class Durations {
  private Durations() {}

  static String text(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }
}
