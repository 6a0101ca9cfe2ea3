package dev.ferry.recipes.workos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.http.ApiResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The code and message of a WorkOS error body ({@code code}, {@code message}, optional {@code errors[]}).
 * Immutable.
 */
record ApiError(String code, String message, List<String> errorCodes) {
  private static final ObjectMapper JSON = Json.MAPPER;

  static ApiError of(ApiResponse r) {
    if (r.status() == 0) return new ApiError("no_response", r.error(), List.of());
    if (r.error() != null && !r.error().isEmpty()) return new ApiError("http_" + r.status(), r.error(), List.of());
    try {
      JsonNode n = JSON.readTree(r.body());
      if (n != null && n.isObject()) {
        List<String> codes = new ArrayList<>();
        StringBuilder msg = new StringBuilder(n.path("message").asText(""));
        for (JsonNode e : n.path("errors")) {
          codes.add(e.path("code").asText(""));
          String m = e.path("message").asText("");
          if (!m.isEmpty() && msg.indexOf(m) < 0) msg.append(msg.length() > 0 ? "; " : "").append(m);
        }
        String code = n.path("code").asText(n.path("error").asText(""));
        return new ApiError(code, msg.length() == 0 ? "HTTP " + r.status() : msg.toString(), List.copyOf(codes));
      }
    } catch (Exception ignored) {
      // not JSON: fall through
    }
    String body = r.body() == null ? "" : r.body().strip();
    return new ApiError("http_" + r.status(), body.isEmpty() ? "HTTP " + r.status() : RowValidator.clip(body), List.of());
  }

  boolean has(String c) {
    return c.equals(code) || errorCodes.contains(c);
  }

  /** The most specific code: the first of errors[], else the top-level code. */
  String detailCode() {
    return errorCodes.isEmpty() || errorCodes.get(0).isEmpty() ? code : errorCodes.get(0);
  }
}
