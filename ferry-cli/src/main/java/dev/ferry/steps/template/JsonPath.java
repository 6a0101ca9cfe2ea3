package dev.ferry.steps.template;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A path into a JSON answer, as a capture or a batch answer's item selector: {@code $} (the whole answer),
 * {@code $.data[0].id}, {@code $.items[*]}... only names, {@code ["quoted name"]} and indexes (negative counts
 * from the end); no filters, no recursion. Reading a path that is absent gives null. Immutable and threadsafe.
 */
public final class JsonPath {
  private final String source;
  private final SpecLocation location;
  private final List<Object> parts; // String = field name, Integer = index

  private JsonPath(String source, SpecLocation location, List<Object> parts) {
    this.source = source;
    this.location = location;
    this.parts = parts;
  }

  /**
   * Parses {@code text}.
   *
   * @throws SpecException at {@code location} (shifted to the faulty character) when it is not a path
   */
  public static JsonPath parse(String text, SpecLocation location) {
    Objects.requireNonNull(text, "text cannot be null");
    Objects.requireNonNull(location, "location cannot be null");
    return new JsonPath(text, location, PathParser.parse(text, location));
  }

  /**
   * Reads the path from a JSON-like tree (Map, List, String, Number, Boolean, null).
   *
   * @return the value there, or null when any part of the path is absent
   */
  public Object read(Object tree) {
    Object at = tree;
    for (Object p : parts) {
      if (p instanceof String name) {
        if (!(at instanceof Map<?, ?> m)) return null;
        at = m.get(name);
      } else {
        if (!(at instanceof List<?> l)) return null;
        int i = (Integer) p;
        if (i < 0) i += l.size();
        if (i < 0 || i >= l.size()) return null;
        at = l.get(i);
      }
    }
    return at;
  }

  /** The field's name when the path is one field of the answer ({@code $.id}), else null. */
  public String singleField() {
    return parts.size() == 1 && parts.get(0) instanceof String name ? name : null;
  }

  public String source() {
    return source;
  }

  public SpecLocation location() {
    return location;
  }

  @Override
  public String toString() {
    return source;
  }
}
