package dev.ferry.steps;

import dev.ferry.http.ApiResponse;
import java.util.List;
import java.util.Map;

/**
 * The code and message an API put in an error answer, whatever its shape: {@code {"message", "code"}} (WorkOS and
 * most), {@code {"error": {"message", "code"|"type"}}} (OpenAI), {@code {"status": {"error"}}} (Qdrant),
 * {@code {"error": "..."}}, {@code {"detail": "..."}}, {@code {"errors": [{"message"}]}}; else the body's start.
 * Immutable.
 */
record ApiMessage(String code, String message) {
  private static final int MAX = 300;

  static ApiMessage of(ApiResponse r) {
    if (r.status() == 0) return new ApiMessage("no_response", r.error());
    // an answer ferry refused to take as it is (a redirect): its error says why, the body is empty
    if (r.error() != null && !r.error().isEmpty()) return new ApiMessage("http_" + r.status(), clip(r.error()));
    return of(Json.readOrNull(r.body()), r.status(), r.body());
  }

  /** From an answer's (or an answer item's) tree. */
  static ApiMessage of(Object tree, int status, String body) {
    if (tree instanceof Map<?, ?> m) {
      String message = firstText(m.get("message"), at(m, "error", "message"), at(m, "status", "error"), m.get("error"),
          m.get("detail"), m.get("error_description"), firstError(m.get("errors")));
      String code = firstText(m.get("code"), at(m, "error", "code"), at(m, "error", "type"),
          m.get("error") instanceof String s && message != null && !s.equals(message) ? s : null);
      if (message != null) return new ApiMessage(code == null ? "http_" + status : code, clip(message));
    }
    if (tree instanceof String s && !s.isBlank()) return new ApiMessage("http_" + status, clip(s));
    String b = body == null ? "" : body.strip();
    return new ApiMessage("http_" + status, b.isEmpty() ? "HTTP " + status : clip(b));
  }

  /**
   * Every error code of an answer's tree: {@code code}, {@code error.code}, {@code error.type}, {@code errors[].code}.
   */
  static List<String> codes(Object tree) {
    if (!(tree instanceof Map<?, ?> m)) return List.of();
    List<String> out = new java.util.ArrayList<>(2);
    for (Object c : new Object[] {m.get("code"), at(m, "error", "code"), at(m, "error", "type")}) {
      if (c instanceof String s && !s.isEmpty()) out.add(s);
    }
    if (m.get("errors") instanceof List<?> l) {
      for (Object e : l) {
        if (e instanceof Map<?, ?> em && em.get("code") instanceof String s && !s.isEmpty()) out.add(s);
      }
    }
    return out;
  }

  private static Object at(Map<?, ?> m, String a, String b) {
    return m.get(a) instanceof Map<?, ?> inner ? inner.get(b) : null;
  }

  private static Object firstError(Object errors) {
    if (errors instanceof List<?> l && !l.isEmpty()) {
      Object e = l.get(0);
      return e instanceof Map<?, ?> m ? m.get("message") : e;
    }
    return null;
  }

  private static String firstText(Object... candidates) {
    for (Object c : candidates) {
      if (c instanceof String s && !s.isBlank()) return s;
      if (c instanceof Number || c instanceof Boolean) return c.toString();
    }
    return null;
  }

  static String clip(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() <= MAX ? one : one.substring(0, MAX) + dev.ferry.http.SecretMask.CUT;
  }
}
