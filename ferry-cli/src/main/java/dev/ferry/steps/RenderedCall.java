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
 */
record RenderedCall(String method, String pathAndQuery, String jsonBody, String idempotencyKey, List<String> headers,
    Map<String, Long> charge) {

  /**
   * @throws dev.ferry.steps.template.SpecException when a template cannot be rendered or a charge is not a whole number
   */
  static RenderedCall of(CallConfig call, RenderContext ctx) {
    RequestTemplate r = call.request();
    StringBuilder path = new StringBuilder(r.path().renderEscaped(ctx, RenderedCall::segment));
    char sep = path.indexOf("?") < 0 ? '?' : '&';
    for (Map.Entry<String, dev.ferry.steps.template.Template> q : r.query().entrySet()) {
      Object v = q.getValue().render(ctx);
      if (v == null) continue;
      List<?> values = v instanceof List<?> l ? l : List.of(v);
      for (Object one : values) {
        path.append(sep).append(component(q.getKey())).append('=').append(component(text(one)));
        sep = '&';
      }
    }
    List<String> headers = new ArrayList<>();
    r.headers().forEach((name, t) -> {
      String v = t.renderText(ctx);
      if (!v.isEmpty()) {
        headers.add(name);
        headers.add(v);
      }
    });
    String body = r.body() == null ? null
        : Json.write(r.omitEmpty() ? withoutEmpty(r.body().render(ctx)) : r.body().render(ctx));
    String key = call.idempotencyKey() == null ? null : IdempotencyKeys.check(call.idempotencyKey(), ctx);
    Map<String, Long> charge = new java.util.LinkedHashMap<>();
    call.charge().forEach((unit, t) -> charge.put(unit, Weights.whole(t, t.render(ctx), "charge of " + unit)));
    return new RenderedCall(r.method(), path.toString(), body, key, List.copyOf(headers), Map.copyOf(charge));
  }

  /** The tree without the object fields that are null, "", [] or {} (after their own empty fields left). */
  static Object withoutEmpty(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, x) -> {
        Object kept = withoutEmpty(x);
        if (!isEmpty(kept)) out.put(k, kept);
      });
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object x : l) out.add(withoutEmpty(x));
      return out;
    }
    return v;
  }

  private static boolean isEmpty(Object v) {
    return v == null || "".equals(v) || v instanceof Map<?, ?> m && m.isEmpty()
        || v instanceof List<?> l && l.isEmpty();
  }

  ApiCall toApiCall(String callType) {
    return new ApiCall(method, pathAndQuery, jsonBody, idempotencyKey, callType, headers);
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
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
