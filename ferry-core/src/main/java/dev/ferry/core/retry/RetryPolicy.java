package dev.ferry.core.retry;

import java.time.Duration;

/**
 * How often and how long to wait before retrying a transient failure. Immutable and threadsafe; build with
 * {@link #builder()}.
 *
 * <p>Transient failures (5xx, timeouts, connection errors) are retried up to {@code maxAttempts} attempts in
 * all, with exponential backoff and "equal jitter" (half fixed, half random). Rate-limit answers (429) are
 * retried separately, up to {@code maxRateLimitRetries}, after the shared limiter's pause.
 */
public final class RetryPolicy {
  private final int maxAttempts;
  private final int maxRateLimitRetries;
  private final Duration baseDelay;
  private final Duration maxDelay;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.maxRateLimitRetries = b.maxRateLimitRetries;
    this.baseDelay = b.baseDelay;
    this.maxDelay = b.maxDelay;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static RetryPolicy defaults() {
    return builder().build();
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public int maxRateLimitRetries() {
    return maxRateLimitRetries;
  }

  public Duration baseDelay() {
    return baseDelay;
  }

  public Duration maxDelay() {
    return maxDelay;
  }

  /**
   * Delay before retry number {@code retry} (1 = first retry). Pure: {@code random} in [0, 1) is the only
   * source of jitter, so tests assert exact values.
   */
  public long backoffNanos(int retry, double random) {
    return Backoff.equalJitter(baseDelay.toNanos(), maxDelay.toNanos(), retry, random);
  }

  /**
   * The pause after a rate-limit answer that says not when to retry (no Retry-After, nor a wait in its body), from a
   * target that has refused for {@code refusedForNanos} since it last admitted a request sent after its refusals began:
   * a fifth of that, at least the first retry's backoff and at most {@code maxDelay}. The tries then come at a fixed
   * share of the time refused so far, whoever sends them: a client that learns the wait from when the refusals stop
   * (RateLearner) overshoots it by at most a fifth, and a long lockout costs a try a few seconds, not one a backoff of
   * each refused call (each call's backoff starts again at its first refusal). Pure, as {@link #backoffNanos}.
   */
  public long pauseWithoutRetryAfterNanos(long refusedForNanos, double random) {
    return Math.max(backoffNanos(1, random), Math.min(maxDelay.toNanos(), refusedForNanos / 5));
  }

  public Builder toBuilder() {
    return new Builder().maxAttempts(maxAttempts).maxRateLimitRetries(maxRateLimitRetries)
        .baseDelay(baseDelay).maxDelay(maxDelay);
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts=" + maxAttempts + ", maxRateLimitRetries=" + maxRateLimitRetries
        + ", baseDelay=" + baseDelay + ", maxDelay=" + maxDelay + "]";
  }

  /** Builder; not threadsafe. */
  public static final class Builder {
    private int maxAttempts = 6;
    private int maxRateLimitRetries = 30;
    private Duration baseDelay = Duration.ofMillis(250);
    private Duration maxDelay = Duration.ofSeconds(30);

    Builder() {}

    /** Attempts in all for transient failures (1 = never retry). */
    public Builder maxAttempts(int n) {
      if (n < 1) throw new IllegalArgumentException("maxAttempts must be >= 1");
      this.maxAttempts = n;
      return this;
    }

    public Builder maxRateLimitRetries(int n) {
      if (n < 0) throw new IllegalArgumentException("maxRateLimitRetries must be >= 0");
      this.maxRateLimitRetries = n;
      return this;
    }

    public Builder baseDelay(Duration d) {
      if (d == null || d.isNegative()) throw new IllegalArgumentException("baseDelay must be >= 0");
      this.baseDelay = d;
      return this;
    }

    public Builder maxDelay(Duration d) {
      if (d == null || d.isNegative()) throw new IllegalArgumentException("maxDelay must be >= 0");
      this.maxDelay = d;
      return this;
    }

    public RetryPolicy build() {
      if (maxDelay.compareTo(baseDelay) < 0) throw new IllegalStateException("maxDelay < baseDelay");
      return new RetryPolicy(this);
    }
  }
}
