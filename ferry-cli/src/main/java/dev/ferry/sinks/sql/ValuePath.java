package dev.ferry.sinks.sql;

import dev.ferry.core.engine.RowInput;
import java.util.List;
import java.util.Map;

/**
 * A path to one value of a settled row: {@code row.a.b} into its record, anything else ({@code step.field…}) into
 * its step results. Segments that are numbers index lists. An absent value (missing step, field or index) is null.
 * Immutable and threadsafe.
 */
record ValuePath(boolean fromRow, List<String> segments) {

  static ValuePath parse(String path) {
    List<String> parts = List.of(path.split("\\."));
    boolean row = parts.size() > 1 && parts.get(0).equals("row");
    return new ValuePath(row, row ? parts.subList(1, parts.size()) : parts);
  }

  Object resolve(RowInput row, Map<String, Object> results) {
    Object v = fromRow ? row.record() : results;
    for (String segment : segments) {
      v = switch (v) {
        case Map<?, ?> m -> m.get(segment);
        case List<?> l -> index(l, segment);
        case null, default -> null;
      };
    }
    return v;
  }

  private static Object index(List<?> list, String segment) {
    try {
      int i = Integer.parseInt(segment);
      return i >= 0 && i < list.size() ? list.get(i) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
