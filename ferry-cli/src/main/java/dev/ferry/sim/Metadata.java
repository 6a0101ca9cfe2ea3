package dev.ferry.sim;

import java.util.Arrays;

/** A user's metadata: string keys and values in their input order, stored as one flat array. Immutable. */
final class Metadata {
  static final Metadata EMPTY = new Metadata(new String[0]);

  private final String[] keysAndValues;

  private Metadata(String[] keysAndValues) {
    this.keysAndValues = keysAndValues;
  }

  /** @param keysAndValues key0, value0, key1, value1, ... (copied) */
  static Metadata of(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must pair up");
    }
    return keysAndValues.length == 0 ? EMPTY : new Metadata(keysAndValues.clone());
  }

  int size() {
    return keysAndValues.length / 2;
  }

  String key(int index) {
    return keysAndValues[2 * index];
  }

  String value(int index) {
    return keysAndValues[2 * index + 1];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Metadata other && Arrays.equals(keysAndValues, other.keysAndValues);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(keysAndValues);
  }

  @Override
  public String toString() {
    return "Metadata" + Arrays.toString(keysAndValues);
  }
}
