package dev.ferry.steps;

import dev.ferry.http.ApiCall;
import dev.ferry.steps.template.RenderContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link CallConfig} rendered for one row or batch: what goes on the wire, plus the weights it charges. Immutable.
 *
 * @param method         HTTP method
 * @param pathAndQuery   path relative to the target's base URL, with the query
 * @param jsonBody       JSON text, or null
 * @param idempotencyKey the key, or null
 * @param headers        the step's own headers, names and values alternating
 * @param charge         weight by unit
 * @param rows           the rows the call carries (a batch call's size; 1 for a row's own call)
 */
record RenderedCall(String method, String pathAndQuery, String jsonBody, String idempotencyKey, List<String> headers,
    Map<String, Long> charge, int rows) {

  /** The same call, carrying {@code rows} rows (a batch of them). */
  RenderedCall withRows(int rows) {
    return new RenderedCall(method, pathAndQuery, jsonBody, idempotencyKey, headers, charge, rows);
  }

  /**
   * @throws dev.ferry.steps.template.SpecException when a template cannot be rendered or a charge is not a whole number
   */
  static RenderedCall of(CallConfig call, RenderContext ctx) {
    RequestTemplate r = call.request();
    String pathAndQuery = r.path().renderEscaped(ctx, RenderedCall::segment);
    if (!r.query().isEmpty()) pathAndQuery = withQuery(pathAndQuery, r.query(), ctx);
    List<String> headers = r.headers().isEmpty() ? List.of() : new ArrayList<>();
    r.headers().forEach((name, t) -> {
      String v = t.renderText(ctx);
      if (!v.isEmpty()) {
        headers.add(name);
        headers.add(v);
      }
    });
    String body = r.body() == null ? null : r.body().renderJson(ctx, r.omitEmpty());
    String key = call.idempotencyKey() == null ? null : IdempotencyKeys.check(call.idempotencyKey(), ctx);
    Map<String, Long> charge;
    if (call.charge().isEmpty()) {
      charge = Map.of();
    } else {
      Map<String, Long> weights = new java.util.LinkedHashMap<>();
      call.charge().forEach((unit, t) -> weights.put(unit, Weights.whole(t, t.render(ctx), "charge of " + unit)));
      charge = Map.copyOf(weights);
    }
    return new RenderedCall(r.method(), pathAndQuery, body, key, headers.isEmpty() ? List.of()
        : List.copyOf(headers), charge, 1);
  }

  /** {@code path} with the query's rendered values appended, percent-encoded; a null value leaves its name out. */
  private static String withQuery(String path, Map<String, dev.ferry.steps.template.Template> query,
      RenderContext ctx) {
    StringBuilder b = new StringBuilder(path);
    char sep = path.indexOf('?') < 0 ? '?' : '&';
    for (Map.Entry<String, dev.ferry.steps.template.Template> q : query.entrySet()) {
      Object v = q.getValue().render(ctx);
      if (v == null) continue;
      List<?> values = v instanceof List<?> l ? l : List.of(v);
      for (Object one : values) {
        b.append(sep).append(component(q.getKey())).append('=').append(component(text(one)));
        sep = '&';
      }
    }
    return b.toString();
  }

  /** The tree without the object fields that are null, "", [] or {} (after their own empty fields left). */
  static Object withoutEmpty(Object v) {
    return dev.ferry.steps.template.JsonTemplate.withoutEmpty(v);
  }

  ApiCall toApiCall(String callType) {
    return new ApiCall(method, pathAndQuery, jsonBody, idempotencyKey, callType, headers, rows);
  }

  private static String text(Object v) {
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString(d.longValue());
    return v instanceof String s ? s : v instanceof Number || v instanceof Boolean ? v.toString() : Json.write(v);
  }

  /** A value as one path segment. */
  static String segment(String s) {
    return component(s);
  }

  static String component(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean kept = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
          || c == '_' || c == '*';
      if (!kept) return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
    return s; // what URLEncoder leaves as it is
  }
}
