package dev.ferry.http;

/**
 * One logical API call. Immutable.
 *
 * @param method         HTTP method
 * @param path           path and query, e.g. {@code /user_management/users?email=a%40b.c}
 * @param jsonBody       request body, or null
 * @param idempotencyKey sent as {@code Idempotency-Key} when not null; stable across retries and resumes
 * @param callType       label for metrics, e.g. {@code create_user}
 */
public record ApiCall(String method, String path, String jsonBody, String idempotencyKey, String callType) {
  public static ApiCall get(String path, String callType) {
    return new ApiCall("GET", path, null, null, callType);
  }

  public static ApiCall post(String path, String json, String idempotencyKey, String callType) {
    return new ApiCall("POST", path, json, idempotencyKey, callType);
  }

  public static ApiCall delete(String path, String callType) {
    return new ApiCall("DELETE", path, null, null, callType);
  }
}
