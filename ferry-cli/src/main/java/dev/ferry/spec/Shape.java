package dev.ferry.spec;

import java.util.List;

/**
 * What a value of a job spec may be: the one typed description of the format that both the checker
 * ({@link SpecChecker}) and the JSON Schema ({@link JsonSchemaWriter}) are made from, so they cannot drift.
 * Immutable.
 */
sealed interface Shape {

  /** A mapping with known keys. {@code exactlyOne}: exactly one of its keys is given (a choice, like a source). */
  record Obj(String title, String description, List<Field> fields, boolean exactlyOne) implements Shape {
    Field field(String name) {
      for (Field f : fields) if (f.name().equals(name)) return f;
      return null;
    }

    List<String> names() {
      return fields.stream().map(Field::name).toList();
    }
  }

  /** A key of an {@link Obj}. */
  record Field(String name, Shape shape, boolean required, String description) {}

  /** A mapping whose keys the user chooses (targets by name, headers, captures); keys must match {@code keys}. */
  record MapOf(Shape values, String keys, String keysDescription) implements Shape {}

  /** A list of items. */
  record ListOf(Shape items, int minItems) implements Shape {}

  /** A single value; {@code pattern}, when not null, is a regular expression a text must match. */
  record Scalar(Type type, String pattern) implements Shape {}

  /** One of fixed words. */
  record OneOfWords(List<String> words) implements Shape {}

  /** One of several shapes, told apart by the value's kind (a word or a list; a number or a word). */
  record AnyOf(List<Shape> choices) implements Shape {}

  /** What a {@link Scalar} holds. */
  enum Type {
    /** Any text. */
    STRING,
    /** Text that may hold {@code {{ … }}} parts, rendered per row. */
    TEMPLATE,
    /** A whole number, at least 1. */
    COUNT,
    /** A number greater than 0. */
    POSITIVE,
    /** An HTTP status code (100-599). */
    STATUS,
    /** A duration with a unit: 50ms, 1.5s, 1m, 1h. */
    DURATION,
    /** true or false. */
    BOOLEAN,
    /** Anything: a JSON-like value whose strings may be templates (a request body). */
    ANY
  }
}
