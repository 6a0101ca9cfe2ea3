package dev.ferry.core.limit;

/**
 * Additive increase, multiplicative decrease on drops only: every successful sample taken while the limit
 * was fully used adds {@code 1 / limit} (so about one per round trip, as TCP's congestion avoidance), every
 * drop multiplies the limit by {@code backoffRatio} (at most once per {@code 1/backoff} of the limit's
 * samples, so a burst of drops from one round trip counts once). A sample slower than {@code timeout} is a
 * drop. Blind to latency: use it when only drops mean "too much"; {@link GradientLimit} is the default.
 *
 * <p>Not threadsafe (see {@link Limit}). Build with {@link Limit#aimdBuilder()}.
 */
public final class AimdLimit implements Limit {
  private final int minLimit;
  private final int maxLimit;
  private final double backoffRatio;
  private final long timeoutNanos;
  private double limit;
  /** Samples to ignore drops for after a decrease (the rest of that round trip). */
  private int dropHoldoff;

  AimdLimit(Builder b) {
    this.minLimit = b.minLimit;
    this.maxLimit = b.maxLimit;
    this.backoffRatio = b.backoffRatio;
    this.timeoutNanos = b.timeoutNanos;
    this.limit = b.initialLimit;
  }

  @Override
  public int limit() {
    return (int) limit;
  }

  @Override
  public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
    if (dropHoldoff > 0) dropHoldoff--;
    if (dropped || rttNanos > timeoutNanos) {
      if (dropHoldoff == 0) {
        limit = Math.max(minLimit, limit * backoffRatio);
        dropHoldoff = (int) limit;
      }
    } else if (inflight >= (int) limit) {
      limit = Math.min(maxLimit, limit + 1.0 / limit);
    }
    return limit();
  }

  @Override
  public String toString() {
    return "AimdLimit[limit=" + limit() + "]";
  }

  /** Settings of an {@link AimdLimit} (limits: initial 16, between 1 and 1000). Not threadsafe; {@link #build()} copies them. */
  public static final class Builder extends LimitBuilder<Builder> {
    private double backoffRatio = 0.9;
    private long timeoutNanos = Long.MAX_VALUE;

    Builder() {
      super(16, 1, 1000);
    }

    /** Factor applied on a drop (default 0.9). */
    public Builder backoffRatio(double r) {
      if (!(r > 0 && r < 1)) throw new IllegalArgumentException("backoffRatio must be in (0, 1)");
      this.backoffRatio = r;
      return this;
    }

    /** A sample slower than this counts as a drop (default: never). */
    public Builder timeout(java.time.Duration d) {
      if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("timeout must be > 0");
      this.timeoutNanos = d.toNanos();
      return this;
    }

    /** @throws IllegalArgumentException when minLimit > maxLimit or initialLimit is outside them */
    public AimdLimit build() {
      Builder copy = new Builder();
      copyBoundsTo(copy);
      copy.backoffRatio = backoffRatio;
      copy.timeoutNanos = timeoutNanos;
      return new AimdLimit(copy);
    }
  }
}
