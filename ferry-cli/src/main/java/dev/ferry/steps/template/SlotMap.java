package dev.ferry.steps.template;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A row's values of names known for the whole job (a spec's {@code vars}), filled in order: an array per row instead
 * of a hash map, and a compiled {@code vars.NAME} reads its slot by index ({@link Compiled}). As a {@link Map} it is
 * what a {@code LinkedHashMap} filled the same way holds: the names filled so far, in order, with their values
 * (null allowed); read-only through the Map interface. Not threadsafe while it is filled (by the row's own thread);
 * read-only afterwards.
 */
public final class SlotMap extends AbstractMap<String, Object> {
  private final Names names;
  private final Object[] values;
  private int filled;

  /**
   * @param names the names, in order
   */
  public SlotMap(Names names) {
    this.names = names;
    this.values = new Object[names.size()];
  }

  /** The names of a job's slots, in order, with their index: made once, shared by every row's map. */
  public static final class Names {
    private final String[] names;
    private final Map<String, Integer> index;

    public Names(List<String> names) {
      this.names = names.toArray(String[]::new);
      Map<String, Integer> idx = new java.util.HashMap<>();
      for (int i = 0; i < this.names.length; i++) {
        if (idx.putIfAbsent(this.names[i], i) != null) throw new IllegalArgumentException("name given twice: "
            + this.names[i]);
      }
      this.index = Map.copyOf(idx);
    }

    public int size() {
      return names.length;
    }

    /** The index of a name, or -1. */
    int indexOf(String name) {
      Integer i = index.get(name);
      return i == null ? -1 : i;
    }
  }

  /**
   * Sets the next name's value (the names are filled in their order).
   *
   * @throws IllegalStateException when every name is filled
   */
  public void fill(Object value) {
    if (filled == values.length) throw new IllegalStateException("every name is filled");
    values[filled++] = value;
  }

  Names names() {
    return names;
  }

  /** The value at an index of {@link #names}: null when not filled yet. */
  Object valueAt(int index) {
    return index < filled ? values[index] : null;
  }

  @Override
  public Object get(Object key) {
    if (!(key instanceof String s)) return null;
    int i = names.indexOf(s);
    return i < 0 ? null : valueAt(i);
  }

  @Override
  public boolean containsKey(Object key) {
    return key instanceof String s && names.indexOf(s) >= 0 && names.indexOf(s) < filled;
  }

  @Override
  public int size() {
    return filled;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new ArrayEntries(names.names, values, filled);
  }
}
