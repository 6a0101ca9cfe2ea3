package dev.ferry.http;

import java.util.List;

/**
 * One logical API call. Immutable.
 *
 * @param method         HTTP method
 * @param path           path and query, e.g. {@code /user_management/users?email=a%40b.c}
 * @param jsonBody       request body, or null
 * @param idempotencyKey sent as {@code Idempotency-Key} when not null; stable across retries and resumes
 * @param callType       label for metrics, e.g. {@code create_user}
 * @param headers        extra headers of this call, names and values alternating (after the target's own); a pair
 *                       whose value is null is not sent
 * @param rows           the rows (items) the call carries: 1, or a batch call's size; the adaptive concurrency limit
 *                       counts its answer as that many samples ({@link AdaptiveFeedback})
 */
public record ApiCall(String method, String path, String jsonBody, String idempotencyKey, String callType,
    List<String> headers, int rows) {
  public ApiCall {
    headers = headers == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(headers));
    if (headers.size() % 2 != 0) throw new IllegalArgumentException("headers are name and value pairs");
    if (rows < 1) throw new IllegalArgumentException("rows must be >= 1");
  }

  /** A call of one row. */
  public ApiCall(String method, String path, String jsonBody, String idempotencyKey, String callType,
      List<String> headers) {
    this(method, path, jsonBody, idempotencyKey, callType, headers, 1);
  }

  /** A call with no extra header. */
  public ApiCall(String method, String path, String jsonBody, String idempotencyKey, String callType) {
    this(method, path, jsonBody, idempotencyKey, callType, List.of());
  }

  /** True for a method that changes state (rate limits count writes apart from reads: GET and HEAD). */
  public static boolean writes(String method) {
    return !"GET".equals(method) && !"HEAD".equals(method);
  }

  /** True when the call changes state ({@link #writes}). */
  public boolean write() {
    return writes(method);
  }

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
