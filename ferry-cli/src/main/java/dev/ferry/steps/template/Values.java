package dev.ferry.steps.template;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import dev.ferry.json.PooledJson;

/** Conversions between JSON-like values and text. Stateless; threadsafe. */
final class Values {
  /** Reads JSON text into JSON-like values (whole numbers as Long, objects as LinkedHashMap). */
  private static final ObjectMapper READER = new ObjectMapper(PooledJson.factory()) // json_parse, per row
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_LONG_FOR_INTS)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  /** What {@link #parseJson} returns for text that is not JSON. */
  static final Object NOT_JSON = new Object();

  private Values() {}

  /** A value as text in mixed templates: null as "", whole doubles without ".0", lists and maps as JSON. */
  static String text(Object v) {
    if (v == null) return "";
    if (v instanceof String s) return s;
    if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    if (v instanceof Number || v instanceof Boolean) return v.toString();
    return json(v);
  }

  /** Appends {@link #text} of a value without making its String first where it can. */
  static void appendText(StringBuilder b, Object v) {
    if (v instanceof String s) b.append(s);
    else if (v instanceof Long l) b.append(l.longValue());
    else if (v instanceof Map<?, ?> || v instanceof List<?>) JsonText.append(b, v);
    else b.append(text(v));
  }

  static String json(Object v) {
    return JsonText.write(v);
  }

  /** The JSON-like value of a JSON text, or {@link #NOT_JSON}. */
  static Object parseJson(String text) {
    try {
      Object v = READER.readValue(text, Object.class);
      return v instanceof java.math.BigInteger b ? b.doubleValue() : v;
    } catch (java.io.IOException e) {
      return NOT_JSON;
    }
  }

  static boolean truthy(Object v) {
    if (v == null) return false;
    if (v instanceof Boolean b) return b;
    if (v instanceof String s) return !s.isEmpty() && !s.equalsIgnoreCase("false");
    return true;
  }

  /** Equality of JSON-like values: numbers by value (1 == 1.0), everything else by equals. */
  static boolean same(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) return x.doubleValue() == y.doubleValue();
    if (a instanceof List<?> || a instanceof Map<?, ?>) return a.equals(b);
    return a == null ? b == null : a.equals(b);
  }
}
