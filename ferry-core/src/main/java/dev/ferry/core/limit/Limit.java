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

  /**
   * Takes the answer of one call that carried {@code rows} rows (a batch call) and returns the limit. The limit
   * bounds rows in flight, not calls, and each row of the call waited the call's round trip: an answer of N rows is
   * N samples of that latency (so a batched job's windows fill as fast, in answers per round trip, as an unbatched
   * one's). A drop is one congestion signal whatever the call carried. This default feeds {@link #onSample} once per
   * row (once for a drop); implementations may weigh the sample instead, to the same effect.
   *
   * @param rows rows the call carried, at least 1 (a smaller value counts as 1)
   */
  default int onSample(long startNanos, long rttNanos, int inflight, boolean dropped, int rows) {
    if (dropped || rows <= 1) return onSample(startNanos, rttNanos, inflight, dropped);
    int l = limit();
    for (int i = 0; i < rows; i++) l = onSample(startNanos, rttNanos, inflight, false);
    return l;
  }
}
