package dev.ferry.steps.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import dev.ferry.json.PooledJson;

/**
 * Writes JSON-like values (String, Long, Integer, Double, Boolean, null, List, Map with String keys) as JSON text
 * into a {@link StringBuilder}: a row's bodies and {@code json(...)} values are written here instead of through a
 * Jackson generator per value, which cost more than the rest of a dry-run row. The text is exactly what a default
 * {@code ObjectMapper} writes (same order, numbers as {@code Long.toString} / {@code Double.toString}, escapes
 * {@code \"}, {@code \\}, {@code \b \t \n \f \r}, other control characters as {@code \}{@code u00XX}, everything else
 * as is; {@code JsonTextTest} checks that on random values); any other value (a BigDecimal, a non-finite double, a
 * map with a key that is not a String) is handed to Jackson. Stateless; threadsafe.
 */
public final class JsonText {
  private static final ObjectMapper JACKSON = new ObjectMapper(PooledJson.factory());
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  /** For each ASCII character: 0 as is, else the letter after the backslash ('u' for \\u00XX). */
  private static final char[] ESCAPES = new char[128];

  static {
    for (int c = 0; c < 0x20; c++) ESCAPES[c] = 'u';
    ESCAPES['"'] = '"';
    ESCAPES['\\'] = '\\';
    ESCAPES['\b'] = 'b';
    ESCAPES['\t'] = 't';
    ESCAPES['\n'] = 'n';
    ESCAPES['\f'] = 'f';
    ESCAPES['\r'] = 'r';
  }

  private JsonText() {}

  /** The JSON text of a value. */
  public static String write(Object value) {
    if (value instanceof String s) {
      StringBuilder b = new StringBuilder(s.length() + 8);
      string(b, s);
      return b.toString();
    }
    StringBuilder b = new StringBuilder(64);
    append(b, value);
    return b.toString();
  }

  /** Appends the JSON text of a value. */
  public static void append(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String s) {
      string(b, s);
    } else if (v instanceof Boolean x) {
      b.append(x.booleanValue());
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      b.append(((Number) v).longValue());
    } else if (v instanceof Double d && Double.isFinite(d)) {
      b.append(Double.toString(d));
    } else if (v instanceof Map<?, ?> m && stringKeys(m)) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) b.append(',');
        first = false;
        string(b, (String) e.getKey());
        b.append(':');
        append(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      for (int i = 0, n = l.size(); i < n; i++) {
        if (i > 0) b.append(',');
        append(b, l.get(i));
      }
      b.append(']');
    } else {
      b.append(jackson(v));
    }
  }

  private static boolean stringKeys(Map<?, ?> m) {
    for (Object k : m.keySet()) if (!(k instanceof String)) return false;
    return true;
  }

  /** Appends {@code s} as a JSON string, escaped as Jackson's default generator does. */
  public static void string(StringBuilder b, String s) {
    b.append('"');
    int n = s.length();
    int from = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 128 || ESCAPES[c] == 0) continue;
      if (i > from) b.append(s, from, i);
      from = i + 1;
      char e = ESCAPES[c];
      b.append('\\');
      if (e == 'u') {
        b.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      } else {
        b.append(e);
      }
    }
    if (n > from) b.append(s, from, n);
    b.append('"');
  }

  private static String jackson(Object v) {
    try {
      return JACKSON.writeValueAsString(v);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("not a JSON value: " + e.getOriginalMessage(), e);
    }
  }
}
