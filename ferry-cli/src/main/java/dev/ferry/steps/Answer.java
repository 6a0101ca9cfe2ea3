package dev.ferry.steps;

import dev.ferry.http.ApiResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A call's final answer with the rule its status matched; the body's JSON tree is parsed on first use. Not
 * threadsafe (confined to the thread handling the answer).
 */
final class Answer {
  private final ApiResponse response;
  private final StatusRule rule;
  private Object tree;
  private boolean parsed;

  Answer(ApiResponse response, StatusRule rule) {
    this.response = response;
    this.rule = rule;
  }

  ApiResponse response() {
    return response;
  }

  StatusRule rule() {
    return rule;
  }

  int status() {
    return response.status();
  }

  Object tree() {
    if (!parsed) {
      tree = Json.readOrNull(response.body());
      parsed = true;
    }
    return tree;
  }

  ApiMessage message() {
    return response.status() == 0 || response.error() != null && !response.error().isEmpty() ? ApiMessage.of(response)
        : ApiMessage.of(tree(), response.status(), response.body());
  }

  /**
   * Whether {@code body} is empty or may be JSON: it starts (after white space) as a JSON value does, or parses.
   * Cheap for the usual object or array: only a body starting otherwise is parsed.
   */
  static boolean mayHoldJson(String body) {
    if (body == null) return true;
    String b = body.stripLeading();
    if (b.isEmpty() || b.charAt(0) == '{' || b.charAt(0) == '[') return true;
    return b.startsWith("null") || Json.readOrNull(b) != null;
  }

  /** Reads the call's captures from this answer's body, parsed only when there is something to capture. */
  Map<String, Object> captures(CallConfig call) {
    if (call.capture().isEmpty()) return FrozenCaptures.NONE;
    if (rule != null && !rule.capture().isEmpty()) return capture(call, rule, tree());
    if (!parsed && call.capture().size() == 1) { // one top-level text field ($.id): scanned, no tree
      Map.Entry<String, dev.ferry.steps.template.JsonPath> only = call.capture().entrySet().iterator().next();
      String field = only.getValue().singleField();
      Object v = field == null ? FieldScan.UNSURE : FieldScan.read(response.body(), field);
      if (v != FieldScan.UNSURE) return FrozenCaptures.single(only.getKey(), v);
    }
    return capture(call, tree());
  }

  /**
   * Reads the captures from {@code from} with the paths of the rule the answer's status matched where it gives some
   * ({@link StatusRule#capture()}), else the call's.
   */
  static Map<String, Object> capture(CallConfig call, StatusRule rule, Object from) {
    if (rule == null || rule.capture().isEmpty() || call.capture().isEmpty()) return capture(call, from);
    LinkedHashMap<String, Object> out = new LinkedHashMap<>();
    call.capture().forEach((name, path) -> out.put(name, rule.capture().getOrDefault(name, path).read(from)));
    return FrozenCaptures.owning(out);
  }

  /** Reads the captures from {@code from} (the answer, or the row's item of it), as a {@link FrozenCaptures}. */
  static Map<String, Object> capture(CallConfig call, Object from) {
    if (call.capture().isEmpty()) return FrozenCaptures.NONE;
    if (call.capture().size() == 1) {
      Map.Entry<String, dev.ferry.steps.template.JsonPath> only = call.capture().entrySet().iterator().next();
      return FrozenCaptures.single(only.getKey(), only.getValue().read(from));
    }
    LinkedHashMap<String, Object> out = new LinkedHashMap<>();
    call.capture().forEach((name, path) -> out.put(name, path.read(from)));
    return FrozenCaptures.owning(out);
  }
}
