package dev.ferry.core.limit;

/**
 * What a target's rate-limit headers said about one kind of request in one answer, whatever convention they
 * came in ({@code X-RateLimit-*}, the IETF draft's {@code RateLimit}/{@code RateLimit-Policy}, OpenAI's
 * {@code x-ratelimit-*-requests}). Immutable.
 *
 * @param limit       requests allowed per window; -1 when the answer did not say
 * @param remaining   requests left now
 * @param resetNanos  time from the answer until the quota is restored; -1 when the answer did not say
 * @param windowNanos the counting window (the IETF policy's {@code w}); -1 when the answer did not say
 */
public record Quota(long limit, long remaining, long resetNanos, long windowNanos) {
  public Quota {
    if (remaining < 0) throw new IllegalArgumentException("remaining must be >= 0");
    if (limit < -1 || limit == 0) throw new IllegalArgumentException("limit must be >= 1, or -1 (unknown)");
    if (resetNanos < -1) throw new IllegalArgumentException("resetNanos must be >= 0, or -1 (unknown)");
    if (windowNanos < -1 || windowNanos == 0) throw new IllegalArgumentException("windowNanos must be > 0, or -1");
  }
}
