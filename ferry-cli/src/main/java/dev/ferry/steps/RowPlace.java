package dev.ferry.steps;

import java.util.AbstractMap;
import java.util.Set;

/**
 * A row's place in its source as templates read it ({@code source.row}, {@code source.line}): the map
 * {@code Map.of("row", row, "line", line)} is, without hashing two keys per row. Immutable.
 */
final class RowPlace extends AbstractMap<String, Object> {
  private final long row;
  private final long line;

  RowPlace(long row, long line) {
    this.row = row;
    this.line = line;
  }

  @Override
  public Object get(Object key) {
    if ("row".equals(key)) return row;
    if ("line".equals(key)) return line;
    return null;
  }

  @Override
  public boolean containsKey(Object key) {
    return "row".equals(key) || "line".equals(key);
  }

  @Override
  public int size() {
    return 2;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    java.util.List<Entry<String, Object>> entries = java.util.List.of(new SimpleImmutableEntry<>("row", row),
        new SimpleImmutableEntry<>("line", line));
    return new java.util.AbstractSet<>() {
      @Override
      public java.util.Iterator<Entry<String, Object>> iterator() {
        return entries.iterator();
      }

      @Override
      public int size() {
        return 2;
      }
    };
  }
}
