package dev.ferry.sim;

/** A stored object with an id made by {@link IdGenerator}. */
interface Identified {
  SimId id();

  /** Whether this object's id is {@code id} (cheaper than {@code id().equals(id)}). */
  default boolean hasId(SimId id) {
    return id().equals(id);
  }
}
