package dev.ferry.steps;

import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Set;

/**
 * A row's step results as they were at one moment ({@code steps} in a template): the first {@code size} names and
 * values of arrays that only ever grow at their end, so a later step's result is invisible to it and taking one is a
 * single small object instead of a copy of a map (a row takes one after each step that ran). Read-only through the
 * {@link java.util.Map} interface, in the order the steps ran. Immutable as seen by its readers: {@link Builder} never
 * writes below a size it handed out (a step's result given again is written to fresh arrays).
 */
final class ResultsSoFar extends AbstractMap<String, Object> {
  private final String[] names;
  private final Object[] values;
  private final int size;

  private ResultsSoFar(String[] names, Object[] values, int size) {
    this.names = names;
    this.values = values;
    this.size = size;
  }

  @Override
  public Object get(Object key) {
    for (int i = 0; i < size; i++) if (names[i].equals(key)) return values[i];
    return null;
  }

  @Override
  public boolean containsKey(Object key) {
    for (int i = 0; i < size; i++) if (names[i].equals(key)) return true;
    return false;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new dev.ferry.steps.template.ArrayEntries(names, values, size);
  }

  /** Collects one row's results and hands out {@link ResultsSoFar}. Not threadsafe (the row's own thread). */
  static final class Builder {
    private String[] names = new String[4];
    private Object[] values = new Object[4];
    private int size;

    /** Sets {@code name}'s value: appended, or (given again) replaced in fresh arrays so no earlier view changes. */
    void put(String name, Object value) {
      for (int i = 0; i < size; i++) {
        if (names[i].equals(name)) {
          names = names.clone();
          values = values.clone();
          values[i] = value;
          return;
        }
      }
      if (size == names.length) {
        names = Arrays.copyOf(names, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      names[size] = name;
      values[size++] = value;
    }

    boolean isEmpty() {
      return size == 0;
    }

    /** The results as they are now. */
    ResultsSoFar view() {
      return new ResultsSoFar(names, values, size);
    }
  }
}
