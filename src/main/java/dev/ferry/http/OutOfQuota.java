package dev.ferry.http;

/**
 * 429s that no retry can pass, returned at once instead of retried behind a pause (a rate limit's 429 is
 * {@code rate_limit_exceeded} and passes once the window comes back). Stateless.
 * <ul>
 *   <li>OpenAI's {@code insufficient_quota}: the account is out of credit until someone pays (the job stops);</li>
 *   <li>OpenAI's "Request too large … must be reduced": the request alone holds more tokens than the limit admits
 *       in a window (a batch step splits it: docs/JOBS-STEPS.md).</li>
 * </ul>
 */
public final class OutOfQuota {
  private OutOfQuota() {}

  /** True when a 429's body carries the code {@code insufficient_quota} (as {@code "code"} or {@code "type"}). */
  public static boolean in(String body) {
    if (body == null || !body.contains("insufficient_quota")) return false;
    return body.replace(" ", "").matches("(?s).*\"(code|type)\":\"insufficient_quota\".*");
  }

  /** True when a 429's body says the request is larger than the limit admits at all (OpenAI's wording). */
  public static boolean tooLarge(String body) {
    return body != null && body.contains("Request too large") && body.contains("must be reduced");
  }

  /** Either: a 429 that waiting cannot cure. */
  public static boolean hopeless(String body) {
    return in(body) || tooLarge(body);
  }
}
