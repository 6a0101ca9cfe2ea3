package dev.ferry.steps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A source's {@code secret_columns}: fields of a row's record whose values never leave the input. A CSV or SQL
 * column is a name ({@code password}); a JSONL field may be a dotted path ({@code user.password}) that goes through
 * objects and, where it meets an array, through each element ({@code users.password}). Names compare without regard to
 * case, as CSV's always have. Immutable.
 */
public final class SecretPaths {
  public static final SecretPaths NONE = new SecretPaths(Set.of());
  /** What a secret value is replaced with where the record is shown. */
  public static final String MASK = "***";

  private final List<List<String>> paths;
  private final Set<String> given;

  private SecretPaths(Set<String> given) {
    this.given = Set.copyOf(given);
    List<List<String>> p = new ArrayList<>();
    for (String g : this.given) p.add(split(g));
    this.paths = List.copyOf(p);
  }

  /** @param fields names or dotted paths, compared without regard to case */
  public static SecretPaths of(Set<String> fields) {
    return fields.isEmpty() ? NONE : new SecretPaths(fields);
  }

  public boolean isEmpty() {
    return paths.isEmpty();
  }

  /** The paths as given (lower case when the spec lower-cased them). */
  public Set<String> fields() {
    return given;
  }

  /** The last name of each path: a request body's field of that name is shown as {@code ***} in a dry run. */
  public Set<String> names() {
    Set<String> names = new java.util.HashSet<>();
    for (List<String> p : paths) names.add(p.get(p.size() - 1));
    return Set.copyOf(names);
  }

  /**
   * The paths, as given and sorted, that text which is not a record (a JSONL line that does not parse) may hold a
   * value of: those whose last name occurs in it, without regard to case; every path when it holds a {@code \\u}
   * escape (which may spell any name). Empty when the text can be shown whole.
   */
  public List<String> mayBeIn(String text) {
    List<String> out = new ArrayList<>();
    if (paths.isEmpty() || text == null) return out;
    String lower = text.toLowerCase(Locale.ROOT);
    boolean escaped = lower.contains("\\u");
    for (String g : new TreeSet<>(given)) {
      List<String> p = split(g);
      if (escaped || lower.contains(p.get(p.size() - 1))) out.add(g);
    }
    return out;
  }

  /** The secret values {@code record} holds (text, numbers), for a {@link dev.ferry.http.SecretMask}. */
  public List<String> values(Map<String, Object> record) {
    List<String> out = new ArrayList<>();
    if (record != null) for (List<String> p : paths) collect(record, p, 0, out);
    return out;
  }

  private static void collect(Object node, List<String> path, int at, List<String> out) {
    if (node instanceof List<?> list) {
      for (Object e : list) collect(e, path, at, out);
    } else if (at == path.size()) {
      if (node instanceof String || node instanceof Number) out.add(node.toString());
    } else if (node instanceof Map<?, ?> map) {
      String rest = rest(path, at);
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = String.valueOf(e.getKey()).strip().toLowerCase(Locale.ROOT);
        if (key.equals(path.get(at))) collect(e.getValue(), path, at + 1, out);
        else if (key.equals(rest)) collect(e.getValue(), path, path.size(), out); // a name holding dots (a CSV column)
      }
    }
  }

  private static String rest(List<String> path, int at) {
    return String.join(".", path.subList(at, path.size()));
  }

  /**
   * The paths, as given, that hold a value (not null) in {@code record}: what {@link #masked} replaces, sorted, for
   * an errors file's {@code ferry_secret_omitted}.
   */
  public List<String> present(Map<String, Object> record) {
    List<String> out = new ArrayList<>();
    if (record == null) return out;
    for (String g : new java.util.TreeSet<>(given)) {
      if (walk(record, split(g), 0, false)) out.add(g);
    }
    return out;
  }

  /** A copy of {@code record} with every secret value (present and not null) replaced by {@code ***}. */
  public Map<String, Object> masked(Map<String, Object> record) {
    if (record == null || paths.isEmpty()) return record;
    @SuppressWarnings("unchecked")
    Map<String, Object> copy = (Map<String, Object>) copy(record);
    for (List<String> p : paths) walk(copy, p, 0, true);
    return copy;
  }

  private static Object copy(Object node) {
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> m = new LinkedHashMap<>();
      map.forEach((k, v) -> m.put(String.valueOf(k), copy(v)));
      return m;
    }
    if (node instanceof List<?> list) {
      List<Object> l = new ArrayList<>(list.size());
      for (Object e : list) l.add(copy(e));
      return l;
    }
    return node;
  }

  private static List<String> split(String path) {
    return List.of(path.strip().toLowerCase(Locale.ROOT).split("\\.", -1));
  }

  /**
   * Whether {@code node} holds a value (not null) at {@code path} from {@code at} (through arrays, each element; a key
   * holding the rest of the path's dots matches it too); with {@code replace}, every such value becomes {@link #MASK}
   * (the node is then a copy of the caller's), else the walk stops at the first.
   */
  @SuppressWarnings("unchecked")
  private static boolean walk(Object node, List<String> path, int at, boolean replace) {
    boolean found = false;
    if (node instanceof List<?> list) {
      for (Object e : list) {
        found |= walk(e, path, at, replace);
        if (found && !replace) return true;
      }
    } else if (node instanceof Map<?, ?> map && at < path.size()) {
      String rest = rest(path, at);
      boolean last = at == path.size() - 1;
      for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
        String key = e.getKey().strip().toLowerCase(Locale.ROOT);
        boolean here;
        if (key.equals(rest) && !last || key.equals(path.get(at)) && last) { // the value itself (a name holding dots)
          here = e.getValue() != null;
          if (here && replace) e.setValue(MASK);
        } else if (key.equals(path.get(at))) {
          here = walk(e.getValue(), path, at + 1, replace);
        } else {
          continue;
        }
        found |= here;
        if (found && !replace) return true;
      }
    }
    return found;
  }
}
