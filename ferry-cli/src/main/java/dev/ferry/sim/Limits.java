package dev.ferry.sim;

import java.util.function.LongSupplier;

/** The read and write rate limiters of one server state. Threadsafe. */
final class Limits {
  private final RateLimiter reads;
  private final RateLimiter writes;

  Limits(SimConfig config, LongSupplier ticker) {
    this.reads = RateLimiter.create(config.rateAlgorithm(), config.readRateLimit(), config.rateWindow(),
        config.tokenBucketBurst(), ticker);
    this.writes = RateLimiter.create(config.rateAlgorithm(), config.writeRateLimit(), config.rateWindow(),
        config.tokenBucketBurst(), ticker);
  }

  /** GET and HEAD count as reads; every other method as a write. */
  RateLimiter forMethod(String method) {
    return "GET".equals(method) || "HEAD".equals(method) ? reads : writes;
  }
}
