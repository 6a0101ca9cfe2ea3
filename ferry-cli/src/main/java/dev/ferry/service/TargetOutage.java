package dev.ferry.service;

import java.time.Duration;
import java.util.Optional;

/**
 * Whether the service's targets can be used: an item that met a target that cannot be used at all (connection refused
 * before it ever answered, an untrusted certificate, a proxy refusing: {@code TargetUnusableException}) is not the
 * item's fault, so it goes back to the queue uncounted, and the drain pauses and then probes with one item at a time
 * until an item gets through again. The pause starts at {@link #FIRST_PAUSE} and doubles per failed probe up to
 * {@link #MAX_PAUSE}; it has no cap in count: the queue keeps the items for as long as the target is down.
 *
 * <p>Threadsafe: every method holds this object's monitor (item threads report, the drain's loop and the status
 * page read). Items that meet the outage while a pause is already set (those that were in flight with the one that
 * set it) join that pause instead of doubling it, so the pause grows once per probe, not once per item.
 */
final class TargetOutage {
  static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
  static final Duration MAX_PAUSE = Duration.ofSeconds(30);

  /** What {@code /status} and {@code /readyz} show while an outage lasts. */
  record Snapshot(String reason, double forSeconds, double nextProbeInSeconds, int probes) {}

  private String reason;
  private long sinceNanos;
  /** When claiming may resume (ticker nanos); meaningful while {@code reason != null}. */
  private long resumeNanos;
  /** Probes (waves of items) that met the outage since it started. */
  private int probes;

  /**
   * An item met an unusable target at {@code nowNanos}.
   *
   * @return when the item may run again (ticker nanos): the end of the current pause
   */
  synchronized long unusable(String why, long nowNanos) {
    if (reason == null) sinceNanos = nowNanos;
    reason = why;
    if (probes == 0 || nowNanos - resumeNanos >= 0) {
      long pause = FIRST_PAUSE.toNanos() << Math.min(probes, 30);
      resumeNanos = nowNanos + Math.min(pause, MAX_PAUSE.toNanos());
      probes++;
    }
    return resumeNanos;
  }

  /** An item got through every target it used (or was settled for a reason of its own): the outage is over. */
  synchronized void worked() {
    reason = null;
    probes = 0;
  }

  /** Whether an outage lasts. */
  synchronized boolean active() {
    return reason != null;
  }

  /** Whether the drain must not claim at {@code nowNanos}: an outage's pause has not ended. */
  synchronized boolean paused(long nowNanos) {
    return reason != null && nowNanos - resumeNanos < 0;
  }

  /** The outage as seen at {@code nowNanos}, while it lasts. */
  synchronized Optional<Snapshot> snapshot(long nowNanos) {
    if (reason == null) return Optional.empty();
    return Optional.of(new Snapshot(reason, (nowNanos - sinceNanos) / 1e9, Math.max(0, resumeNanos - nowNanos) / 1e9,
        probes));
  }
}
