package dev.ferry.steps;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A step's captures as a {@link StepResult.Ok} holds them: a read-only copy, in the given order, null values kept.
 * Its own type so that an Ok made from another Ok's captures (an "existing" or "cached" result, the same captures
 * under another note) keeps the copy instead of copying it again. Immutable.
 */
final class FrozenCaptures extends AbstractMap<String, Object> {
  /** No captures. */
  static final Map<String, Object> NONE = new FrozenCaptures(Map.of());
  private final Map<String, Object> view;

  /** @param view a read-only map nobody else holds a way to change */
  private FrozenCaptures(Map<String, Object> view) {
    this.view = view;
  }

  /** {@code captures} itself when it is already a frozen copy, else a frozen copy of it. */
  static Map<String, Object> of(Map<String, Object> captures) {
    return captures instanceof FrozenCaptures f ? f
        : new FrozenCaptures(Collections.unmodifiableMap(new LinkedHashMap<>(captures)));
  }

  /** One capture (the common case, an item's id), without a copy: {@code value} may be null. */
  static Map<String, Object> single(String name, Object value) {
    return new FrozenCaptures(Collections.singletonMap(name, value));
  }

  /**
   * {@code captures} kept as it is: the caller made it for this and never changes it again (no copy).
   */
  static Map<String, Object> owning(LinkedHashMap<String, Object> captures) {
    return new FrozenCaptures(Collections.unmodifiableMap(captures));
  }

  @Override
  public Object get(Object key) {
    return view.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return view.containsKey(key);
  }

  @Override
  public int size() {
    return view.size();
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return view.entrySet();
  }
}
