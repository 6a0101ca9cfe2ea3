package dev.ferry.sources;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A CSV row's record: the header's names, made once per file ({@link Columns}), over the row's own fields, instead of
 * a hash map per row; a compiled template's {@code row.NAME} reads it by index ({@link #valueAt}). As a {@link Map} it
 * is exactly what putting each column's name and field into a {@code LinkedHashMap} in header order gives: a short
 * row's missing columns are absent, a long row's extra fields are not there, and of a name given twice the value is
 * the last one present while its place is the first. Read-only; immutable (the fields are never changed once read).
 */
public final class CsvRecord extends AbstractMap<String, Object> {
  private final Columns columns;
  private final String[] fields;

  public CsvRecord(Columns columns, String[] fields) {
    this.columns = columns;
    this.fields = fields;
  }

  /** A header's distinct names, in the order of their first column, each with the columns it names. Immutable. */
  public static final class Columns {
    private final String[] names;
    /** For each distinct name, the columns with that name, ascending. */
    private final int[][] columns;
    private final Map<String, Integer> index;

    public Columns(List<String> header) {
      Map<String, List<Integer>> at = new java.util.LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) at.computeIfAbsent(header.get(i), k -> new ArrayList<>()).add(i);
      names = at.keySet().toArray(String[]::new);
      columns = new int[names.length][];
      Map<String, Integer> idx = new HashMap<>();
      for (int n = 0; n < names.length; n++) {
        columns[n] = at.get(names[n]).stream().mapToInt(Integer::intValue).toArray();
        idx.put(names[n], n);
      }
      index = Map.copyOf(idx);
    }

    /** The number of distinct names. */
    public int size() {
      return names.length;
    }

    /** The distinct name at an index, 0 to {@link #size()} - 1 (in the order of their first column). */
    public String name(int index) {
      return names[index];
    }

    /** The index of a name for {@link CsvRecord#valueAt}, or -1 when the header has no such column. */
    public int indexOf(String name) {
      Integer i = index.get(name);
      return i == null ? -1 : i;
    }
  }

  public Columns columns() {
    return columns;
  }

  /** The value of the name at an index of {@link #columns()} (null when the row is too short to have it). */
  public Object valueAt(int name) {
    int[] at = columns.columns[name];
    for (int k = at.length - 1; k >= 0; k--) {
      if (at[k] < fields.length) return fields[at[k]];
    }
    return null;
  }

  /** Whether the row has the name at an index of {@link #columns()} (it is not too short for its first column). */
  public boolean present(int name) {
    return columns.columns[name][0] < fields.length;
  }

  @Override
  public Object get(Object key) {
    if (!(key instanceof String s)) return null;
    int i = columns.indexOf(s);
    return i < 0 ? null : valueAt(i);
  }

  @Override
  public boolean containsKey(Object key) {
    if (!(key instanceof String s)) return false;
    int i = columns.indexOf(s);
    return i >= 0 && present(i);
  }

  @Override
  public int size() {
    int n = 0;
    for (int i = 0; i < columns.names.length; i++) if (present(i)) n++;
    return n;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int next = skip(0);

          private int skip(int from) {
            while (from < columns.names.length && !present(from)) from++;
            return from;
          }

          @Override
          public boolean hasNext() {
            return next < columns.names.length;
          }

          @Override
          public Entry<String, Object> next() {
            if (!hasNext()) throw new NoSuchElementException();
            int i = next;
            next = skip(i + 1);
            return new SimpleImmutableEntry<>(columns.names[i], valueAt(i));
          }
        };
      }

      @Override
      public int size() {
        return CsvRecord.this.size();
      }
    };
  }
}
