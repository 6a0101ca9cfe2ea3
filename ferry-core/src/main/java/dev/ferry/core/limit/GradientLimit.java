package dev.ferry.core.limit;

/**
 * A concurrency limit that follows the target's latency, in the family of TCP Vegas and gradient limiters.
 *
 * <p>The algorithm, per window of samples (a window closes once it is at least {@code minWindow} and one
 * baseline round trip long and holds {@code minWindowSamples} samples; durations are measured on the
 * samples' own timestamps; the answer of a call that carried N rows is N samples, {@link Limit#onSample(long, long,
 * int, boolean, int)}):
 * <ol>
 *   <li><b>Baseline.</b> The no-load latency is the lowest window average seen. A window at or under it
 *       lowers it at once, so a target that speeds up is noticed in one window.</li>
 *   <li><b>Slow start.</b> Until the first sign of queueing or drop, the limit doubles every window in
 *       which it was at least half used, so a fast target is filled in a few round trips.</li>
 *   <li><b>Gradient.</b> Then {@code gradient = clamp(tolerance × baseline / windowAverage, 0.5, 1)}, and
 *       the limit moves toward {@code limit × gradient + √limit}: while the latency stays within
 *       {@code tolerance} of the baseline it grows by √limit a window; when requests queue it shrinks,
 *       smoothed by {@code smoothing}. It settles where the queueing delay is about {@code tolerance − 1}
 *       of the no-load latency: the target is kept busy, not flooded. A window in which less than half of
 *       the limit was in flight (something else is the bottleneck: the input, a rate limit) never grows
 *       the limit, and drifts it down toward twice what was in flight plus a window's completions.</li>
 *   <li><b>Drops.</b> A drop (429, 503, timeout, connection error) closes the window and multiplies the
 *       limit by {@code backoffRatio} instead, and ends slow start; further drops within one baseline round
 *       trip of that cut are the same congestion seen by requests already sent, and count once.</li>
 *   <li><b>Re-measuring the baseline.</b> A baseline that has not been seen again for
 *       {@code probeInterval} may be stale (the target got slower for good) or may be hidden by our own
 *       queue. The limit then halves for one window once in-flight requests have drained to it; that
 *       window's average becomes the baseline (up or down) and the limit is restored. Without this step a
 *       target whose latency doubled for good would be held to a handful of requests for ever; with it, a
 *       queue we built ourselves can never ratchet the baseline up.</li>
 * </ol>
 * The limit is always within {@code [minLimit, maxLimit]}.
 *
 * <p>Not threadsafe (see {@link Limit}). Build with {@link Limit#gradientBuilder()}.
 */
public final class GradientLimit implements Limit {
  private enum Phase {
    /** Doubling every window until queueing or a drop shows. */
    SLOW_START,
    /** Following the latency gradient. */
    STEADY,
    /** Limit halved: waiting for in-flight requests to drain to it. */
    PROBE_DRAIN,
    /** Drained: measuring the no-load latency for one window. */
    PROBE_MEASURE
  }

  private final int minLimit;
  private final int maxLimit;
  private final double tolerance;
  private final double backoffRatio;
  private final double smoothing;
  private final long minWindowNanos;
  private final int minWindowSamples;
  private final long probeIntervalNanos;

  private double limit;
  private Phase phase = Phase.SLOW_START;
  /** Lowest window average seen (the no-load latency); NaN until the first window. */
  private double baselineNanos = Double.NaN;
  /** End time of the last window whose average was within 10 % of the baseline. */
  private long baselineSeenNanos;
  /** The limit to restore after a probe. */
  private double limitBeforeProbe;
  /** When the probe started (samples that started earlier are ignored while measuring). */
  private long probeStartNanos;
  /** End time of the sample that caused the last cut for drops; Long.MIN_VALUE when none yet. */
  private long lastDropCutNanos = Long.MIN_VALUE;

  // the open window
  private boolean windowOpen;
  private long windowStartNanos;
  private long windowEndNanos;
  private int windowSamples;
  private double windowRttSum;
  private int windowMaxInflight;
  private boolean windowDropped;

  GradientLimit(Builder b) {
    this.minLimit = b.minLimit;
    this.maxLimit = b.maxLimit;
    this.tolerance = b.tolerance;
    this.backoffRatio = b.backoffRatio;
    this.smoothing = b.smoothing;
    this.minWindowNanos = b.minWindowNanos;
    this.minWindowSamples = b.minWindowSamples;
    this.probeIntervalNanos = b.probeIntervalNanos;
    this.limit = b.initialLimit;
  }

  @Override
  public int limit() {
    return (int) limit;
  }

  /** The no-load latency estimate in nanoseconds; NaN before the first window. */
  public double baselineNanos() {
    return baselineNanos;
  }

  /** True until the first sign of queueing or drop. */
  public boolean inSlowStart() {
    return phase == Phase.SLOW_START;
  }

  @Override
  public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
    return onSample(startNanos, rttNanos, inflight, dropped, 1);
  }

  /**
   * {@inheritDoc} Weighed, to the effect of {@code rows} answers of one row: the first row may close the open window,
   * and the others then open the next one (a window only closes a round trip after it opened, so they cannot close
   * it at once).
   */
  @Override
  public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped, int rows) {
    if (dropped || rows <= 1) return sample(startNanos, rttNanos, inflight, dropped, 1);
    sample(startNanos, rttNanos, inflight, false, 1);
    return sample(startNanos, rttNanos, inflight, false, rows - 1);
  }

  private int sample(long startNanos, long rttNanos, int inflight, boolean dropped, int weight) {
    long end = startNanos + Math.max(0, rttNanos);
    long length = Double.isNaN(baselineNanos) ? minWindowNanos : Math.max(minWindowNanos, (long) baselineNanos);
    if (dropped && lastDropCutNanos != Long.MIN_VALUE && end - lastDropCutNanos < length) {
      return limit(); // the same congestion as the last cut, seen by requests sent before it: counted once
    }
    if (phase == Phase.PROBE_DRAIN) {
      if (dropped) {
        lastDropCutNanos = end;
        endProbe(end);
        limit = Math.max(minLimit, limit * backoffRatio);
        return limit();
      }
      if (inflight > limit) return limit();
      phase = Phase.PROBE_MEASURE;
      probeStartNanos = end;
      windowOpen = false;
      return limit();
    }
    if (phase == Phase.PROBE_MEASURE && !dropped && startNanos < probeStartNanos) {
      return limit(); // sent before the queue drained
    }
    if (!windowOpen) {
      windowOpen = true;
      windowStartNanos = end;
      windowEndNanos = end;
      windowSamples = 0;
      windowRttSum = 0;
      windowMaxInflight = 0;
      windowDropped = false;
    }
    windowEndNanos = Math.max(windowEndNanos, end);
    windowMaxInflight = Math.max(windowMaxInflight, inflight);
    if (dropped) {
      windowDropped = true;
      lastDropCutNanos = end;
    } else {
      windowSamples += weight;
      windowRttSum += (double) rttNanos * weight;
    }
    boolean longEnough = windowEndNanos - windowStartNanos >= length && windowSamples >= minWindowSamples;
    if (windowDropped || longEnough) {
      closeWindow();
    }
    return limit();
  }

  private void closeWindow() {
    windowOpen = false;
    long now = windowEndNanos;
    if (windowDropped) {
      if (phase == Phase.PROBE_MEASURE) endProbe(now);
      if (phase == Phase.SLOW_START) phase = Phase.STEADY;
      limit = Math.max(minLimit, limit * backoffRatio);
      return;
    }
    double avg = windowRttSum / windowSamples;
    if (phase == Phase.PROBE_MEASURE) {
      baselineNanos = avg;
      endProbe(now);
      return;
    }
    if (Double.isNaN(baselineNanos) || avg <= baselineNanos) {
      baselineNanos = avg;
    }
    if (avg <= baselineNanos * 1.1) {
      baselineSeenNanos = now;
    } else if (baselineSeenNanos == 0) {
      baselineSeenNanos = now;
    }
    boolean used = windowMaxInflight * 2 >= limit;
    double gradient = Math.max(0.5, Math.min(1.0, tolerance * baselineNanos / avg));
    if (phase == Phase.SLOW_START) {
      if (gradient >= 1.0) {
        if (used) limit = Math.min(maxLimit, limit * 2);
        return;
      }
      phase = Phase.STEADY;
    }
    double target = limit * gradient + Math.sqrt(limit);
    if (!used) {
      // Under-used (the source, or a pacer in front of the target, is the bottleneck): drift down to twice
      // what is used plus a window's worth of completions, so rows do not pile up behind the real
      // bottleneck, yet enough wait in front of it to ride out a hiccup.
      target = Math.min(target, 2.0 * windowMaxInflight + windowSamples);
    }
    if (target > limit) {
      limit = target;
    } else {
      limit += smoothing * (target - limit);
    }
    limit = Math.max(minLimit, Math.min(maxLimit, limit));
    if (now - baselineSeenNanos >= probeIntervalNanos && limit >= 2 * minLimit) {
      limitBeforeProbe = limit;
      limit = Math.max(minLimit, limit / 2);
      phase = Phase.PROBE_DRAIN;
    }
  }

  private void endProbe(long now) {
    limit = Math.max(limit, limitBeforeProbe);
    phase = Phase.STEADY;
    baselineSeenNanos = now;
    windowOpen = false;
  }

  @Override
  public String toString() {
    return "GradientLimit[limit=" + limit() + ", phase=" + phase + ", baselineMs="
        + (Double.isNaN(baselineNanos) ? "?" : String.format(java.util.Locale.ROOT, "%.1f", baselineNanos / 1e6)) + "]";
  }

  /**
   * Settings of a {@link GradientLimit} (limits: initial 16, between 4 and 1000). Not threadsafe; {@link #build()}
   * copies the settings, so a built limit never changes when the builder does.
   */
  public static final class Builder extends LimitBuilder<Builder> {
    private double tolerance = 1.5;
    private double backoffRatio = 0.8;
    private double smoothing = 0.2;
    private long minWindowNanos = 50_000_000L;
    private int minWindowSamples = 10;
    private long probeIntervalNanos = 10_000_000_000L;

    Builder() {
      super(16, 4, 1000);
    }

    /** Latency over the baseline that still counts as no queueing (default 1.5 = +50 %). */
    public Builder tolerance(double t) {
      if (!(t >= 1.0)) throw new IllegalArgumentException("tolerance must be >= 1");
      this.tolerance = t;
      return this;
    }

    /** Factor applied to the limit after a window with drops (default 0.8). */
    public Builder backoffRatio(double r) {
      if (!(r > 0 && r < 1)) throw new IllegalArgumentException("backoffRatio must be in (0, 1)");
      this.backoffRatio = r;
      return this;
    }

    /** Share of the way to a lower target taken each window (default 0.2). */
    public Builder smoothing(double s) {
      if (!(s > 0 && s <= 1)) throw new IllegalArgumentException("smoothing must be in (0, 1]");
      this.smoothing = s;
      return this;
    }

    /** Shortest window (default 50 ms); a window also lasts at least one baseline round trip. */
    public Builder minWindow(java.time.Duration d) {
      if (d.isNegative()) throw new IllegalArgumentException("minWindow must be >= 0");
      this.minWindowNanos = d.toNanos();
      return this;
    }

    /** Fewest samples in a window (default 10). */
    public Builder minWindowSamples(int n) {
      if (n < 1) throw new IllegalArgumentException("minWindowSamples must be >= 1");
      this.minWindowSamples = n;
      return this;
    }

    /** How long the baseline may go unseen before it is re-measured (default 10 s). */
    public Builder probeInterval(java.time.Duration d) {
      if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("probeInterval must be > 0");
      this.probeIntervalNanos = d.toNanos();
      return this;
    }

    /** @throws IllegalArgumentException when minLimit > maxLimit or initialLimit is outside them */
    public GradientLimit build() {
      Builder copy = new Builder();
      copyBoundsTo(copy);
      copy.tolerance = tolerance;
      copy.backoffRatio = backoffRatio;
      copy.smoothing = smoothing;
      copy.minWindowNanos = minWindowNanos;
      copy.minWindowSamples = minWindowSamples;
      copy.probeIntervalNanos = probeIntervalNanos;
      return new GradientLimit(copy);
    }
  }
}
