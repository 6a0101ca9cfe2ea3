package dev.ferry.sim;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One step of a latency schedule: from {@code at} after the simulator started (or was last reset) on, the
 * base latency is {@code latency} (jitter and slow calls still apply on top). Immutable.
 *
 * @param at      offset from the start or the last {@code /__reset}
 * @param latency the base latency from then on
 */
public record LatencyStep(Duration at, Duration latency) {

  /** @throws NullPointerException on a null duration; IllegalArgumentException on a negative one */
  public LatencyStep {
    Objects.requireNonNull(at, "at cannot be null");
    Objects.requireNonNull(latency, "latency cannot be null");
    if (at.isNegative()) throw new IllegalArgumentException("a latency step's offset must not be negative, was " + at);
    if (latency.isNegative()) throw new IllegalArgumentException("a latency step's latency must not be negative, was " + latency);
  }

  /**
   * The base latency {@code sinceStart} after the start: the latency of the last step at or before it, or
   * {@code base} before the first step. Steps must be sorted by offset.
   */
  static Duration latencyAt(List<LatencyStep> steps, Duration base, long sinceStartNanos) {
    Duration latency = base;
    for (LatencyStep s : steps) {
      if (s.at.toNanos() > sinceStartNanos) break;
      latency = s.latency;
    }
    return latency;
  }
}
