package dev.ferry.http;

/**
 * OpenAI's 429 {@code insufficient_quota}: the account is out of credit, so no retry can pass before someone pays
 * (a rate limit's 429 is {@code rate_limit_exceeded}). Such an answer is returned at once instead of retried.
 * Stateless.
 */
public final class OutOfQuota {
  private OutOfQuota() {}

  /** True when a 429's body carries the code {@code insufficient_quota} (as {@code "code"} or {@code "type"}). */
  public static boolean in(String body) {
    if (body == null || !body.contains("insufficient_quota")) return false;
    return body.replace(" ", "").matches("(?s).*\"(code|type)\":\"insufficient_quota\".*");
  }
}
