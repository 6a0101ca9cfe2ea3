package dev.ferry.steps.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A JSON request body whose string leaves are {@link Template}s: rendered per row into a tree of JSON-like values,
 * so a value never breaks the body's quoting (a {@code "} in a field is a {@code "} in a string, a number
 * stays a number). Object keys are literal. Immutable and threadsafe.
 */
public sealed interface JsonTemplate {

  /**
   * The template of a tree as read from the spec (Map with String keys, List, String, Number, Boolean, null):
   * every string is parsed as a {@link Template} at {@code location} (use {@link #object}, {@link #array} and
   * {@link #value} to give each leaf its own location).
   *
   * @throws SpecException when a string is not a valid template
   * @throws IllegalArgumentException when the tree holds another type
   */
  static JsonTemplate of(Object tree, SpecLocation location) {
    if (tree instanceof Map<?, ?> m) {
      Map<String, JsonTemplate> fields = new LinkedHashMap<>();
      m.forEach((k, v) -> fields.put(String.valueOf(k), of(v, location)));
      return object(fields);
    }
    if (tree instanceof List<?> l) {
      List<JsonTemplate> items = new ArrayList<>();
      for (Object v : l) items.add(of(v, location));
      return array(items);
    }
    if (tree instanceof String s) return value(Template.parse(s, location));
    if (tree == null || tree instanceof Number || tree instanceof Boolean) return new Leaf(Template.literal(tree));
    throw new IllegalArgumentException("not a JSON value: " + tree.getClass().getSimpleName());
  }

  /** An object whose fields are templates, in the given order. */
  static JsonTemplate object(Map<String, JsonTemplate> fields) {
    return new Obj(fields);
  }

  static JsonTemplate array(List<JsonTemplate> items) {
    return new Arr(items);
  }

  static JsonTemplate value(Template template) {
    return new Leaf(template);
  }

  /**
   * Renders the tree.
   *
   * @return Map, List or a leaf's value
   * @throws SpecException when a leaf cannot be rendered
   */
  Object render(RenderContext context);

  /**
   * The JSON text of {@link #render}, written straight into one builder (no tree of maps per row), the same text as
   * writing the rendered tree with {@link JsonText} (after {@link #withoutEmpty} when {@code omitEmpty}).
   *
   * @param omitEmpty leave out the object fields whose value is empty (null, "", [] or {}, after their own empty
   *                  fields left), at any depth
   * @throws SpecException when a leaf cannot be rendered
   */
  default String renderJson(RenderContext context, boolean omitEmpty) {
    StringBuilder b = new StringBuilder(256);
    write(context, b, omitEmpty);
    return b.toString();
  }

  /**
   * Appends the JSON text of the rendered node (see {@link #renderJson}).
   *
   * @return whether what it wrote is empty: null, "", [] or {}
   */
  boolean write(RenderContext context, StringBuilder out, boolean omitEmpty);

  /** The tree without the object fields that are null, "", [] or {} (after their own empty fields left). */
  static Object withoutEmpty(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> {
        Object kept = withoutEmpty(x);
        if (!isEmpty(kept)) out.put(k, kept);
      });
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object x : l) out.add(withoutEmpty(x));
      return out;
    }
    return v;
  }

  /** null, "", [] or {}. */
  static boolean isEmpty(Object v) {
    return v == null || "".equals(v) || v instanceof Map<?, ?> m && m.isEmpty()
        || v instanceof List<?> l && l.isEmpty();
  }

  /** True when any leaf reads {@code batch}. */
  boolean usesBatch();

  /** The names of the steps any leaf reads. */
  java.util.Set<String> stepsRead();

  /**
   * An object node. Its field names are JSON-encoded once ({@code "email":}), so a row's body writes each field as one
   * append of that text and its value.
   */
  final class Obj implements JsonTemplate {
    private final Map<String, JsonTemplate> fields;
    private final String[] names; // "name": as JSON text, in order
    private final JsonTemplate[] values;

    public Obj(Map<String, JsonTemplate> fields) {
      this.fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
      this.names = new String[fields.size()];
      this.values = new JsonTemplate[fields.size()];
      int i = 0;
      for (Map.Entry<String, JsonTemplate> f : this.fields.entrySet()) {
        StringBuilder b = new StringBuilder();
        JsonText.string(b, f.getKey());
        names[i] = b.append(':').toString();
        values[i++] = Objects.requireNonNull(f.getValue(), "a field's template cannot be null");
      }
    }

    public Map<String, JsonTemplate> fields() {
      return fields;
    }

    @Override
    public Object render(RenderContext context) {
      Map<String, Object> out = new LinkedHashMap<>();
      fields.forEach((k, v) -> out.put(k, v.render(context)));
      return out;
    }

    @Override
    public boolean write(RenderContext context, StringBuilder out, boolean omitEmpty) {
      out.append('{');
      boolean any = false;
      for (int i = 0; i < names.length; i++) {
        if (omitEmpty && values[i] instanceof Leaf leaf) { // the common case: an empty value is never written
          Object v = leaf.value(context, true);
          if (isEmpty(v)) continue;
          if (any) out.append(',');
          out.append(names[i]);
          JsonText.append(out, v);
          any = true;
          continue;
        }
        int mark = out.length();
        if (any) out.append(',');
        out.append(names[i]);
        if (values[i].write(context, out, omitEmpty) && omitEmpty) {
          out.setLength(mark); // an empty field left out: the text written for it is taken back
        } else {
          any = true;
        }
      }
      out.append('}');
      return !any;
    }

    @Override
    public boolean usesBatch() {
      return fields.values().stream().anyMatch(JsonTemplate::usesBatch);
    }

    @Override
    public java.util.Set<String> stepsRead() {
      java.util.Set<String> s = new java.util.TreeSet<>();
      fields.values().forEach(v -> s.addAll(v.stepsRead()));
      return s;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Obj other && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
      return fields.hashCode();
    }

    @Override
    public String toString() {
      return "Obj[fields=" + fields + "]";
    }
  }

  /** An array node. */
  record Arr(List<JsonTemplate> items) implements JsonTemplate {
    public Arr {
      items = List.copyOf(items);
    }

    @Override
    public Object render(RenderContext context) {
      List<Object> out = new ArrayList<>(items.size());
      for (JsonTemplate t : items) out.add(t.render(context));
      return out;
    }

    @Override
    public boolean write(RenderContext context, StringBuilder out, boolean omitEmpty) {
      out.append('[');
      for (int i = 0; i < items.size(); i++) { // an array keeps its empty items
        if (i > 0) out.append(',');
        items.get(i).write(context, out, omitEmpty);
      }
      out.append(']');
      return items.isEmpty();
    }

    @Override
    public boolean usesBatch() {
      return items.stream().anyMatch(JsonTemplate::usesBatch);
    }

    @Override
    public java.util.Set<String> stepsRead() {
      java.util.Set<String> s = new java.util.TreeSet<>();
      items.forEach(v -> s.addAll(v.stepsRead()));
      return s;
    }
  }

  /** A leaf: one template. */
  record Leaf(Template template) implements JsonTemplate {
    public Leaf {
      Objects.requireNonNull(template, "template cannot be null");
    }

    @Override
    public Object render(RenderContext context) {
      return template.render(context);
    }

    @Override
    public boolean write(RenderContext context, StringBuilder out, boolean omitEmpty) {
      Object v = value(context, omitEmpty);
      JsonText.append(out, v);
      return isEmpty(v);
    }

    /** The value as written: rendered, without its empty fields when {@code omitEmpty}. */
    Object value(RenderContext context, boolean omitEmpty) {
      Object v = template.render(context);
      return omitEmpty && (v instanceof Map<?, ?> || v instanceof List<?>) ? withoutEmpty(v) : v;
    }

    @Override
    public boolean usesBatch() {
      return template.usesBatch();
    }

    @Override
    public java.util.Set<String> stepsRead() {
      return template.stepsRead();
    }
  }
}
