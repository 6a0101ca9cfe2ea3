package dev.ferry.spec;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One value of a YAML job spec with where it was written: a mapping, a sequence or a scalar, its field path and
 * 1-based line and column. Scalars hold String, BigDecimal/Long, Boolean or null; strings are already
 * parameter-substituted. Immutable once loaded.
 */
public final class Node {
  /** What a node is. */
  public enum Kind {
    MAP, LIST, SCALAR
  }

  private final Kind kind;
  private final String path;
  private final int line;
  private final int column;
  private final Object value;
  private final Map<String, Node> fields;
  private final List<Node> items;
  /** The scalar was a quoted string (its first character is one column right of {@link #column}). */
  private final boolean quoted;
  /** The scalar's text held a parameter reference. */
  private final boolean parameterized;
  /** Where the mapping key naming this node was written (the node's own place for list items and the root). */
  private final int keyLine;
  private final int keyColumn;

  private Node(Kind kind, String path, int line, int column, Object value, Map<String, Node> fields,
      List<Node> items, boolean quoted, boolean parameterized) {
    this.kind = kind;
    this.path = path;
    this.line = line;
    this.column = column;
    this.value = value;
    this.fields = fields;
    this.items = items;
    this.quoted = quoted;
    this.parameterized = parameterized;
    this.keyLine = line;
    this.keyColumn = column;
  }

  private Node(Node n, int keyLine, int keyColumn) {
    this.kind = n.kind;
    this.path = n.path;
    this.line = n.line;
    this.column = n.column;
    this.value = n.value;
    this.fields = n.fields;
    this.items = n.items;
    this.quoted = n.quoted;
    this.parameterized = n.parameterized;
    this.keyLine = keyLine;
    this.keyColumn = keyColumn;
  }

  /** The same node, named by a mapping key written at the given place. */
  Node keyedAt(int line, int column) {
    return new Node(this, line, column);
  }

  public int keyLine() {
    return keyLine;
  }

  public int keyColumn() {
    return keyColumn;
  }

  static Node map(String path, int line, int column, LinkedHashMap<String, Node> fields) {
    return new Node(Kind.MAP, path, line, column, null, Collections.unmodifiableMap(fields), List.of(), false, false);
  }

  static Node list(String path, int line, int column, List<Node> items) {
    return new Node(Kind.LIST, path, line, column, null, Map.of(), List.copyOf(items), false, false);
  }

  static Node scalar(String path, int line, int column, Object value, boolean quoted, boolean parameterized) {
    return new Node(Kind.SCALAR, path, line, column, value, Map.of(), List.of(), quoted, parameterized);
  }

  public Kind kind() {
    return kind;
  }

  public boolean isMap() {
    return kind == Kind.MAP;
  }

  public boolean isList() {
    return kind == Kind.LIST;
  }

  public boolean isScalar() {
    return kind == Kind.SCALAR;
  }

  public boolean isNull() {
    return kind == Kind.SCALAR && value == null;
  }

  /** The field path, e.g. {@code targets.crm.headers.Authorization}. */
  public String path() {
    return path;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** The column of a string scalar's first character (after an opening quote). */
  public int textColumn() {
    return quoted ? column + 1 : column;
  }

  public boolean parameterized() {
    return parameterized;
  }

  /** A scalar's value (String, Long, BigDecimal, Boolean or null); null for a mapping or sequence. */
  public Object value() {
    return value;
  }

  /** A mapping's fields in written order; empty for others. */
  public Map<String, Node> fields() {
    return fields;
  }

  public Node get(String name) {
    return fields.get(name);
  }

  /** A sequence's items; empty for others. */
  public List<Node> items() {
    return items;
  }

  /** A scalar's text (numbers and booleans as written), or null. */
  public String text() {
    if (value == null) return null;
    if (value instanceof BigDecimal d) return d.toPlainString();
    return String.valueOf(value);
  }

  /**
   * The node as a JSON-like value: Map, List, String, Long, BigDecimal, Boolean or null, for values that are
   * free-form (a request body).
   */
  public Object toPlain() {
    return switch (kind) {
      case SCALAR -> value;
      case LIST -> items.stream().map(Node::toPlain).toList();
      case MAP -> {
        Map<String, Object> m = new LinkedHashMap<>();
        fields.forEach((k, v) -> m.put(k, v.toPlain()));
        yield Collections.unmodifiableMap(m);
      }
    };
  }

  /** A short name of what the node is, for "expected X, found Y" messages. */
  public String describeKind() {
    return switch (kind) {
      case MAP -> "a mapping";
      case LIST -> "a list";
      case SCALAR -> value == null ? "nothing (null)" : value instanceof String ? "a string"
          : value instanceof Boolean ? "a boolean" : "a number";
    };
  }
}
