package dev.ferry.sim;

/** How the simulator counts requests against a rate limit. */
public enum RateAlgorithm {
  /** Exact sliding log: at most {@code rate × window} requests in any window ending now. */
  SLIDING_WINDOW,
  /** Counter reset at each window boundary (windows aligned to server start): allows bursts of 2× at edges. */
  FIXED_WINDOW,
  /** Continuous refill at {@code rate}/s, capacity {@code rate × tokenBucketBurst} (starts full). */
  TOKEN_BUCKET
}
