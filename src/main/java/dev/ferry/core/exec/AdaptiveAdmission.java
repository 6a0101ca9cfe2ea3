package dev.ferry.core.exec;

import dev.ferry.core.limit.ConcurrencyLimiter;
import java.util.Objects;

/** The permits of a {@link ConcurrencyLimiter}: its limit moves with its samples. Threadsafe (the limiter is). */
final class AdaptiveAdmission implements Admission {
  private final ConcurrencyLimiter limiter;

  AdaptiveAdmission(ConcurrencyLimiter limiter) {
    this.limiter = Objects.requireNonNull(limiter, "limiter cannot be null");
  }

  @Override
  public void acquire() throws InterruptedException {
    limiter.acquire();
  }

  @Override
  public boolean tryAcquire() {
    return limiter.tryAcquire();
  }

  @Override
  public void release() {
    limiter.release();
  }

  @Override
  public int limit() {
    return limiter.limit();
  }

  @Override
  public String toString() {
    return "Admission.adaptive(" + limiter + ")";
  }
}
