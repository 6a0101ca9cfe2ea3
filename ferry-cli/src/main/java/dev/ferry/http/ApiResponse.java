package dev.ferry.http;

/**
 * The final answer to an {@link ApiCall} after retries. Immutable.
 *
 * @param status    HTTP status; 0 when no answer came (timeout, connection error)
 * @param body      response body ("" when none)
 * @param requestId the target's {@code X-Request-ID}, "" when none
 * @param attempts  attempts made
 * @param transientExhausted true when the last answer was transient (5xx, 429, timeout, connection error)
 *                  and the retry budget ran out: the caller should record a retryable failure
 * @param error     for status 0, or an answer ferry does not take (a 3xx: never followed): what went wrong (never
 *                  contains the key); "" otherwise
 */
public record ApiResponse(int status, String body, String requestId, int attempts, boolean transientExhausted,
    String error) {

  public boolean ok() {
    return status >= 200 && status < 300;
  }
}
