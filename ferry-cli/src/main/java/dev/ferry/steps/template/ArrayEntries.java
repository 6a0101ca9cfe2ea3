package dev.ferry.steps.template;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map.Entry;
import java.util.NoSuchElementException;

/**
 * The entries of a map kept as two parallel arrays (names, values), the first {@code size} of them in order: the
 * {@code entrySet()} of {@link SlotMap} and of a row's step results. A read-only view; it reads the arrays when
 * iterated, so it is as threadsafe as the map that made it.
 */
public final class ArrayEntries extends AbstractSet<Entry<String, Object>> {
  private final String[] names;
  private final Object[] values;
  private final int size;

  public ArrayEntries(String[] names, Object[] values, int size) {
    this.names = names;
    this.values = values;
    this.size = size;
  }

  @Override
  public Iterator<Entry<String, Object>> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public Entry<String, Object> next() {
        if (next >= size) throw new NoSuchElementException();
        int i = next++;
        return new SimpleImmutableEntry<>(names[i], values[i]);
      }
    };
  }

  @Override
  public int size() {
    return size;
  }
}
