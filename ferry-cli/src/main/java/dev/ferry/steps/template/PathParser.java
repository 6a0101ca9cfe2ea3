package dev.ferry.steps.template;

import java.util.ArrayList;
import java.util.List;

/** Parses the JSONPath-like capture paths of {@link JsonPath}. Stateless. */
final class PathParser {
  private PathParser() {}

  /** @return the parts: String for a field name, Integer for an index */
  static List<Object> parse(String text, SpecLocation at) {
    String s = text.strip();
    int lead = text.indexOf(s.isEmpty() ? text : s.substring(0, 1));
    if (!s.startsWith("$")) throw error(at, lead, "a path starts with $ (e.g. $.data[0].id), got '" + text + "'");
    List<Object> parts = new ArrayList<>();
    int i = 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '.') {
        int start = ++i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '-')) i++;
        if (i == start) throw error(at, lead + start, "expected a field name after '.' in '" + text + "'");
        parts.add(s.substring(start, i));
      } else if (c == '[') {
        int close = s.indexOf(']', i);
        if (close < 0) throw error(at, lead + i, "unclosed '[' in '" + text + "'");
        String inner = s.substring(i + 1, close).strip();
        if (inner.length() >= 2 && (inner.charAt(0) == '\'' || inner.charAt(0) == '"')
            && inner.charAt(inner.length() - 1) == inner.charAt(0)) {
          parts.add(inner.substring(1, inner.length() - 1));
        } else {
          try {
            parts.add(Integer.parseInt(inner));
          } catch (NumberFormatException e) {
            throw error(at, lead + i + 1, "expected an index or a quoted name in [...] of '" + text + "', got '"
                + inner + "'");
          }
        }
        i = close + 1;
      } else {
        throw error(at, lead + i, "unexpected '" + c + "' in path '" + text + "' (expected .name or [index])");
      }
    }
    return List.copyOf(parts);
  }

  private static SpecException error(SpecLocation at, int offset, String detail) {
    return new SpecException(at.shifted(Math.max(0, offset)), detail);
  }
}
