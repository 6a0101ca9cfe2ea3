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
 *
 * <p>A record of the planning pass ({@link Visit#record}) has no fields of its own: it reads each one from the reader
 * when asked (a field nobody reads is never made a String), so it is valid only while the planner visits its row; a
 * read after that throws {@link IllegalStateException} ({@link #copy} keeps one).
 */
public final class CsvRecord extends AbstractMap<String, Object> {
  private final Columns columns;
  /** The row's fields, or null for a record of the planning pass (then read through {@link #visit}). */
  private final String[] fields;
  private final Visit visit;
  /** The visit's number of this record's row. */
  private final long number;

  public CsvRecord(Columns columns, String[] fields) {
    this.columns = columns;
    this.fields = java.util.Objects.requireNonNull(fields, "fields cannot be null");
    this.visit = null;
    this.number = 0;
  }

  private CsvRecord(Columns columns, Visit visit, long number) {
    this.columns = columns;
    this.fields = null;
    this.visit = visit;
    this.number = number;
  }

  /**
   * The planning pass's rows, one at a time, as records reading the reader's current record: {@link #record} gives
   * the row being visited, {@link #end} ends its visit (its record refuses every read from then on). Not threadsafe:
   * used by the planning thread only, as the reader is.
   */
  static final class Visit {
    private final Columns columns;
    private dev.ferry.core.source.CsvReader reader;
    /** The number of the row being visited; odd while a visit is open, even between visits. */
    private long current;

    Visit(Columns columns) {
      this.columns = columns;
    }

    /** The record of the row {@code reader} is on, readable until {@link #end}. */
    CsvRecord record(dev.ferry.core.source.CsvReader reader) {
      this.reader = reader;
      if ((current & 1) == 0) current++;
      return new CsvRecord(columns, this, current);
    }

    /** Ends the visit of the current row. */
    void end() {
      if ((current & 1) == 1) current++;
      reader = null;
    }

    private dev.ferry.core.source.CsvReader reader(long number) {
      if (number != current) {
        throw new IllegalStateException("a CSV record of the planning pass was read after its row's visit ended "
            + "(it reads the file's reader, which has moved on); keep CsvRecord.copy() instead");
      }
      return reader;
    }

    int fieldCount(long number) {
      return reader(number).fieldCount();
    }

    String field(long number, int i) {
      return reader(number).field(i);
    }
  }

  /** This record with fields of its own (this one when it has them): what to keep of a planning pass's row. */
  public CsvRecord copy() {
    if (fields != null) return this;
    String[] own = new String[visit.fieldCount(number)];
    for (int i = 0; i < own.length; i++) own[i] = visit.field(number, i);
    return new CsvRecord(columns, own);
  }

  private int fieldCount() {
    return fields != null ? fields.length : visit.fieldCount(number);
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
    if (fields == null) return visitedValue(at);
    for (int k = at.length - 1; k >= 0; k--) {
      if (at[k] < fields.length) return fields[at[k]];
    }
    return null;
  }

  private Object visitedValue(int[] at) {
    int count = visit.fieldCount(number);
    for (int k = at.length - 1; k >= 0; k--) {
      if (at[k] < count) return visit.field(number, at[k]);
    }
    return null;
  }

  /** Whether the row has the name at an index of {@link #columns()} (it is not too short for its first column). */
  public boolean present(int name) {
    return columns.columns[name][0] < fieldCount();
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
    int count = fieldCount();
    int n = 0;
    for (int i = 0; i < columns.names.length; i++) if (columns.columns[i][0] < count) n++;
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
