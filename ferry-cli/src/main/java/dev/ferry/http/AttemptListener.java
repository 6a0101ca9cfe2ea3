package dev.ferry.http;

/**
 * Told about every attempt an {@link HttpTarget} makes (each retry is an attempt), right after its answer.
 * The feedback channel of adaptive limits: see {@link AdaptiveFeedback}. Implementations are threadsafe
 * and quick (they run on the calling thread, between the answer and the caller).
 */
@FunctionalInterface
public interface AttemptListener {
  /** Ignores every attempt. */
  AttemptListener NONE = a -> {};

  void onAttempt(Attempt attempt);

  /**
   * One finished attempt. Immutable. Times are {@code Ticker} readings (only differences matter).
   *
   * @param method          the HTTP method
   * @param queuedNanos     when the attempt started waiting for a rate permit
   * @param sentNanos       when it was sent (after the permit)
   * @param answeredNanos   when the answer, the timeout or the connection error came
   * @param status          HTTP status; 0 when no answer came
   * @param retryAfterNanos the answer's Retry-After; negative when it had none
   * @param outcome         what the answer means (one classification for retries and limits)
   * @param quota           what its rate-limit headers said about requests; null when it had none
   * @param sentAfter       attempts sent to the target after this one, before its answer came
   * @param rateHeaders     the answer's rate-limit headers as lower-case names and values alternating (what
   *                        {@link RateLimitHeaders} reads: other units than requests, such as OpenAI's tokens)
   * @param rows            the rows the attempt carried ({@link ApiCall#rows}: a batch call's size)
   * @param rowsInFlight    rows of the target's other attempts sent and not yet answered when this answer came (a
   *                        batch counting its rows); negative when not counted
   */
  record Attempt(String method, long queuedNanos, long sentNanos, long answeredNanos, int status,
      long retryAfterNanos, ResponseClass outcome, dev.ferry.core.limit.Quota quota, long sentAfter,
      java.util.List<String> rateHeaders, int rows, int rowsInFlight) {

    public Attempt {
      rateHeaders = rateHeaders == null ? java.util.List.of() : java.util.List.copyOf(rateHeaders);
      rows = Math.max(1, rows);
    }

    /** An attempt of one row, the target's rows in flight not counted. */
    public Attempt(String method, long queuedNanos, long sentNanos, long answeredNanos, int status,
        long retryAfterNanos, ResponseClass outcome, dev.ferry.core.limit.Quota quota, long sentAfter,
        java.util.List<String> rateHeaders) {
      this(method, queuedNanos, sentNanos, answeredNanos, status, retryAfterNanos, outcome, quota, sentAfter,
          rateHeaders, 1, -1);
    }

    /** An attempt whose headers were read into {@code quota} alone. */
    public Attempt(String method, long queuedNanos, long sentNanos, long answeredNanos, int status,
        long retryAfterNanos, ResponseClass outcome, dev.ferry.core.limit.Quota quota, long sentAfter) {
      this(method, queuedNanos, sentNanos, answeredNanos, status, retryAfterNanos, outcome, quota, sentAfter,
          java.util.List.of());
    }

    /** An attempt without rate-limit headers, classified by its status alone. */
    public Attempt(String method, long queuedNanos, long sentNanos, long answeredNanos, int status,
        long retryAfterNanos) {
      this(method, queuedNanos, sentNanos, answeredNanos, status, retryAfterNanos, ResponseClass.of(status, false),
          null, 0);
    }

    /** True for methods that change state (counted apart from reads by rate limits). */
    public boolean write() {
      return ApiCall.writes(method);
    }

    /** True when it waited for the rate limiter (the pace was the bottleneck). */
    public boolean waitedForPermit() {
      return sentNanos > queuedNanos;
    }
  }
}
