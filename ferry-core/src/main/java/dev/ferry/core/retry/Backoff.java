package dev.ferry.core.retry;

/** Pure backoff arithmetic. */
public final class Backoff {
  private Backoff() {}

  /**
   * Exponential backoff capped at {@code maxNanos}, with equal jitter: the delay is half the capped
   * exponential value plus a random share of the other half.
   *
   * @param retry  1 for the first retry
   * @param random a number in [0, 1)
   */
  public static long equalJitter(long baseNanos, long maxNanos, int retry, double random) {
    if (retry < 1) throw new IllegalArgumentException("retry must be >= 1");
    if (random < 0 || random >= 1) throw new IllegalArgumentException("random must be in [0, 1)");
    int shift = Math.min(retry - 1, 40);
    long exp = baseNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, baseNanos << shift);
    long half = exp / 2;
    return half + (long) (random * (exp - half));
  }
}
