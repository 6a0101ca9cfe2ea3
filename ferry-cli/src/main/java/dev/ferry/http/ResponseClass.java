package dev.ferry.http;

/**
 * What an answer (or its absence) means, decided in one place for {@link HttpTarget} (what to retry, what stops
 * the job) and {@link AdaptiveFeedback} (what the limits learn from).
 */
public enum ResponseClass {
  /** A definite answer (2xx, 3xx, 4xx other than those below): the target did the work or refused it for good. */
  FINAL,
  /**
   * The target's rate limit: 429, 403 with a spent quota in its rate-limit headers (GitHub's way), or 503 with a
   * Retry-After (the server says when it takes requests again: RFC 9110). Every caller pauses for its Retry-After;
   * retried.
   */
  THROTTLED,
  /** 401, or 403 with no spent quota: the key is refused or lacks rights; the job stops. */
  AUTH,
  /**
   * No answer (timeout, connection error), 408, 503 without Retry-After, or 504: the target is overloaded. Retried,
   * and a drop.
   */
  OVERLOADED,
  /** Another 5xx: retried, but says nothing about load. */
  SERVER_ERROR;

  /**
   * @param status            HTTP status; 0 when no answer came
   * @param rateLimitExhausted the answer's rate-limit headers say a quota is spent ({@link RateLimitHeaders#exhausted})
   */
  public static ResponseClass of(int status, boolean rateLimitExhausted) {
    return of(status, rateLimitExhausted, false);
  }

  /**
   * @param status             HTTP status; 0 when no answer came
   * @param rateLimitExhausted the answer's rate-limit headers say a quota is spent ({@link RateLimitHeaders#exhausted})
   * @param retryAfter         the answer carries a readable Retry-After
   */
  public static ResponseClass of(int status, boolean rateLimitExhausted, boolean retryAfter) {
    if (status == 429) return THROTTLED;
    if (status == 503 && retryAfter) return THROTTLED;
    if (status == 403 && rateLimitExhausted) return THROTTLED;
    if (status == 401 || status == 403) return AUTH;
    if (status == 0 || status == 408 || status == 503 || status == 504) return OVERLOADED;
    if (status >= 500) return SERVER_ERROR;
    return FINAL;
  }

  /** Sent again after a backoff (a throttled call is retried behind the shared pause instead). */
  public boolean transientFailure() {
    return this == OVERLOADED || this == SERVER_ERROR;
  }

  /** The target answered and counted it against its limit (an admission, for the rate learner). */
  public boolean admitted() {
    return this == FINAL || this == SERVER_ERROR || this == OVERLOADED;
  }
}
