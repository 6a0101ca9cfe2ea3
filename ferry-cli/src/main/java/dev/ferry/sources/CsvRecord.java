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
 * the last one present while its place is the first. Read-only. A record over given fields is immutable (they are
 * never changed once read) and threadsafe; one of the planning pass is confined to the planning thread.
 *
 * <p>A record of the planning pass ({@link Visit#record}) reads each field from the reader when first asked (a field
 * nobody reads is never made a String), into an array of its own, so it is valid only while the planner visits its
 * row: the visit's end clears that array, and a read after it throws {@link IllegalStateException} ({@link #copy}
 * keeps one). Both kinds read through one path ({@link #valueAt}): a template compiled while planning runs the
 * rows' records without being recompiled.
 */
public final class CsvRecord extends AbstractMap<String, Object> {
  private final Columns columns;
  /**
   * The row's fields (as many as it has). A record of the planning pass fills them when first read and its visit's
   * end clears them (then null means "read it from {@link #visit}"); a record over given fields has them all.
   */
  private final String[] fields;
  /** The planning pass's visit of the row, or null for a record over given fields. */
  private final Visit visit;
  /** The visit's number of this record's row. */
  private final long number;

  public CsvRecord(Columns columns, String[] fields) {
    this(columns, java.util.Objects.requireNonNull(fields, "fields cannot be null"), null, 0);
  }

  private CsvRecord(Columns columns, String[] fields, Visit visit, long number) {
    this.columns = columns;
    this.fields = fields;
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
    /** The fields of the record being visited (cleared at its end), or null. */
    private String[] fields;

    Visit(Columns columns) {
      this.columns = columns;
    }

    /** The record of the row {@code reader} is on, readable until {@link #end}. */
    CsvRecord record(dev.ferry.core.source.CsvReader reader) {
      end();
      this.reader = reader;
      current++;
      fields = new String[reader.fieldCount()];
      return new CsvRecord(columns, fields, this, current);
    }

    /** Ends the visit of the current row. */
    void end() {
      if ((current & 1) == 0) return;
      current++;
      java.util.Arrays.fill(fields, null); // its record reads them from here on, and is refused
      fields = null;
      reader = null;
    }

    /** Throws unless the row {@code number} is being visited. */
    void check(long number) {
      if (number != current) {
        throw new IllegalStateException("a CSV record of the planning pass was read after its row's visit ended "
            + "(it reads the file's reader, which has moved on); keep CsvRecord.copy() instead");
      }
    }

    String field(long number, int i) {
      check(number);
      return reader.field(i);
    }
  }

  /** This record with fields of its own (this one when it has them): what to keep of a planning pass's row. */
  public CsvRecord copy() {
    if (visit == null) return this;
    String[] own = new String[fields.length];
    for (int i = 0; i < own.length; i++) own[i] = field(i);
    return new CsvRecord(columns, own);
  }

  /** Field {@code i} (below {@code fields.length}). */
  private String field(int i) {
    String s = fields[i];
    return s != null ? s : read(i);
  }

  /** A field not read yet (of a planning pass's record), or null (a record given a null field). */
  private String read(int i) {
    if (visit == null) return null;
    String s = visit.field(number, i);
    fields[i] = s;
    return s;
  }

  /** A header's distinct names, in the order of their first column, each with the columns it names. Immutable. */
  public static final class Columns {
    private final List<String> header;
    private final String[] names;
    /** For each distinct name, the columns with that name, ascending. */
    private final int[][] columns;
    private final Map<String, Integer> index;

    /** The last header's names made by {@link #of}; replaced whole (immutable), so a racy read is safe. */
    private static volatile Columns last;

    /**
     * The names of {@code header}: the same object for the same header as the last call's, so the planning pass's
     * records and the rows' share them (a compiled {@code row.NAME} remembers its index for one {@code Columns}).
     */
    public static Columns of(List<String> header) {
      Columns c = last;
      if (c != null && c.header.equals(header)) return c;
      c = new Columns(header);
      last = c;
      return c;
    }

    public Columns(List<String> header) {
      this.header = List.copyOf(header);
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
      if (at[k] < fields.length) return field(at[k]);
    }
    return null;
  }

  /** Whether the row has the name at an index of {@link #columns()} (it is not too short for its first column). */
  public boolean present(int name) {
    if (visit != null) visit.check(number);
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
