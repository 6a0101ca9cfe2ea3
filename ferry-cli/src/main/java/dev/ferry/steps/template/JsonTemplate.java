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

  /** True when any leaf reads {@code batch}. */
  boolean usesBatch();

  /** The names of the steps any leaf reads. */
  java.util.Set<String> stepsRead();

  /** An object node. */
  record Obj(Map<String, JsonTemplate> fields) implements JsonTemplate {
    public Obj {
      fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    @Override
    public Object render(RenderContext context) {
      Map<String, Object> out = new LinkedHashMap<>();
      fields.forEach((k, v) -> out.put(k, v.render(context)));
      return out;
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
    public boolean usesBatch() {
      return template.usesBatch();
    }

    @Override
    public java.util.Set<String> stepsRead() {
      return template.stepsRead();
    }
  }
}
