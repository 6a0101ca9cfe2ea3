package dev.ferry.core.limit;

/**
 * Keeps a pace under a rate limit the user gave, when the target counts more strictly than we pace: a server
 * whose window starts elsewhere, that counts refused requests too, or whose arrivals bunch up after a stall
 * of either host. Each 429 of a request sent at the current pace lowers the pace by {@code cut} (once per
 * pace: 429s of requests sent before the last change are stale); after {@code recoverNanos} without a 429 it
 * climbs back by {@code step} of the target, never above it and never below {@code floor} of it. On a target
 * that counts as we do, no 429 ever comes and the pace stays at the target.
 *
 * <p>Pure logic on timestamps the caller passes in. Threadsafe: every method is synchronized and O(1).
 */
public final class KnownRateTrim {
  private final double target;
  private final double floor;
  private final double cut;
  private final double step;
  private final long recoverNanos;
  /** @GuardedBy("this") */
  private double pace;
  /** @GuardedBy("this") when the pace last changed */
  private long changedAtNanos;

  public KnownRateTrim(double target, double floorShare, double cut, double stepShare, long recoverNanos,
      long nowNanos) {
    if (!(target > 0) || Double.isInfinite(target)) throw new IllegalArgumentException("target must be finite > 0");
    if (!(floorShare > 0 && floorShare <= 1)) throw new IllegalArgumentException("floorShare must be in (0, 1]");
    if (!(cut > 0 && cut < 1)) throw new IllegalArgumentException("cut must be in (0, 1)");
    if (!(stepShare > 0)) throw new IllegalArgumentException("stepShare must be > 0");
    this.target = target;
    this.floor = target * floorShare;
    this.cut = cut;
    this.step = target * stepShare;
    this.recoverNanos = recoverNanos;
    this.pace = target;
    this.changedAtNanos = nowNanos;
  }

  /** Defaults: cut 3 % a 429, floor at 85 % of the target, back up 0.5 % of it per 30 s without a 429. */
  public static KnownRateTrim withDefaults(double target, long nowNanos) {
    return new KnownRateTrim(target, 0.85, 0.03, 0.005, 30_000_000_000L, nowNanos);
  }

  /** A request sent at {@code sentNanos} got a 429 at {@code nowNanos}; returns the pace to keep. */
  public synchronized double onRateLimited(long sentNanos, long nowNanos) {
    if (sentNanos >= changedAtNanos) {
      pace = Math.max(floor, pace * (1 - cut));
      changedAtNanos = nowNanos;
    }
    return pace;
  }

  /** A request was admitted (answered with anything but 429) at {@code nowNanos}; returns the pace to keep. */
  public synchronized double onAdmitted(long nowNanos) {
    if (pace < target && nowNanos - changedAtNanos >= recoverNanos) {
      pace = Math.min(target, pace + step);
      changedAtNanos = nowNanos;
    }
    return pace;
  }

  public synchronized double pace() {
    return pace;
  }
}
