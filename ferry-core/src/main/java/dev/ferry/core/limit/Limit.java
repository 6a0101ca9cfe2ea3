package dev.ferry.core.limit;

/**
 * An algorithm that computes a concurrency limit (how many rows may be in flight) from samples of finished
 * requests. It only computes: a {@link ConcurrencyLimiter} enforces the limit it returns.
 *
 * <p>Implementations read no clock: every duration they use comes from the samples' own timestamps, so
 * tests drive them with synthetic sample streams in virtual time. They are <em>not</em> threadsafe: the
 * limiter that owns one serialises the calls.
 */
public interface Limit {

  /** A latency-gradient limit (slow start, then Vegas-like); see {@link GradientLimit}. */
  static GradientLimit.Builder gradientBuilder() {
    return new GradientLimit.Builder();
  }

  /** An additive-increase, multiplicative-decrease limit driven by drops only; see {@link AimdLimit}. */
  static AimdLimit.Builder aimdBuilder() {
    return new AimdLimit.Builder();
  }

  /** The current limit, at least 1. */
  int limit();

  /**
   * Takes one sample and returns the (possibly unchanged) limit.
   *
   * @param startNanos when the request started (a {@code Ticker} reading: only differences matter)
   * @param rttNanos   how long it took, waiting for a rate permit included
   * @param inflight   requests in flight when the sample was taken
   * @param dropped    true when the request was throttled or failed for overload (429, 503, timeout,
   *                   connection error): a congestion signal, not a latency sample
   * @return the limit after the sample
   */
  int onSample(long startNanos, long rttNanos, int inflight, boolean dropped);
}
