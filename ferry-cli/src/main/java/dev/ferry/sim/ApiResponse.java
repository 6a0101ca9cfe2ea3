package dev.ferry.sim;

import java.util.Map;

/**
 * An answer before rendering. Immutable, so an idempotent replay sends exactly the same status and body.
 *
 * @param body null for an empty body
 * @param headers extra headers besides {@code Content-Type} and {@code X-Request-ID}
 */
record ApiResponse(int status, Body body, Map<String, String> headers) {
  ApiResponse {
    headers = Map.copyOf(headers);
  }

  ApiResponse(int status, Body body) {
    this(status, body, Map.of());
  }

  static ApiResponse error(int status, String code, String message) {
    return new ApiResponse(status, new ErrorBody(code, message));
  }
}
