package dev.ferry.sim;

import java.util.Locale;
import java.util.Map;

/**
 * Which rate-limit headers the simulator puts on every API answer (admitted or refused), stating the quota of the
 * limiter that counted the call (reads or writes). "Reset" is the time until the quota is fully restored
 * ({@link RateLimiter.QuotaState}).
 */
public enum RateHeaders {
  /** None (WorkOS documents none): only a 429's {@code Retry-After}. */
  NONE,
  /** {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining}, {@code X-RateLimit-Reset} (epoch seconds, GitHub's). */
  X,
  /** The IETF draft's {@code RateLimit-Policy: "default";q=L;w=W} and {@code RateLimit: "default";r=R;t=T}. */
  IETF,
  /** OpenAI's {@code x-ratelimit-limit-requests}, {@code -remaining-requests}, {@code -reset-requests} (a duration). */
  OPENAI;

  /** The headers stating {@code q} at wall-clock time {@code epochMillis}; empty for {@link #NONE} or no limit. */
  Map<String, String> render(RateLimiter.QuotaState q, long epochMillis) {
    if (q == null || this == NONE) return Map.of();
    long resetMillis = Math.ceilDiv(q.resetNanos(), 1_000_000L);
    return switch (this) {
      case X -> Map.of("X-RateLimit-Limit", Long.toString(q.limit()),
          "X-RateLimit-Remaining", Long.toString(q.remaining()),
          "X-RateLimit-Reset", Long.toString(Math.ceilDiv(epochMillis + resetMillis, 1000L)));
      case IETF -> Map.of("RateLimit-Policy", ietfPolicy(q),
          "RateLimit", "\"default\";r=" + q.remaining() + ";t=" + Math.ceilDiv(resetMillis, 1000L));
      case OPENAI -> Map.of("x-ratelimit-limit-requests", Long.toString(q.limit()),
          "x-ratelimit-remaining-requests", Long.toString(q.remaining()),
          "x-ratelimit-reset-requests", duration(resetMillis));
      case NONE -> Map.of();
    };
  }

  /**
   * The IETF policy: {@code q} per {@code w} whole seconds. A window under a second (a token bucket of a small burst: a
   * GCRA of one token at 100/s counts in 10 ms) is stated as its rate over one second, {@code q=100;w=1}: rounded up to
   * {@code q=1;w=1} it said one request a second, and a client that believed it paced at 1 % of the rate.
   */
  static String ietfPolicy(RateLimiter.QuotaState q) {
    if (q.windowNanos() > 0 && q.windowNanos() < 1_000_000_000L) {
      return "\"default\";q=" + Math.round(q.limit() * 1e9 / q.windowNanos()) + ";w=1";
    }
    return "\"default\";q=" + q.limit() + ";w=" + Math.max(1, Math.round(q.windowNanos() / 1e9));
  }

  /** OpenAI's duration form: {@code 12ms}, {@code 1.5s}, {@code 6m0s}. */
  static String duration(long millis) {
    if (millis < 1000) return millis + "ms";
    if (millis < 60_000) {
      return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(Locale.ROOT, "%.3fs", millis / 1000.0);
    }
    return millis / 60_000 + "m" + (millis % 60_000) / 1000 + "s";
  }
}
