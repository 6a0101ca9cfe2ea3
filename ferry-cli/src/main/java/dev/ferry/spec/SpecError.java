package dev.ferry.spec;

/**
 * One thing wrong with a job spec, where it is written. Immutable. Never holds a secret: messages about a
 * secret-bearing value name the field, not the value.
 *
 * @param file    the spec's file name as the user gave it (or a built-in spec's name)
 * @param line    1-based line; 0 when unknown
 * @param column  1-based column; 0 when unknown
 * @param field   the field path, e.g. {@code steps[1].request.method}; "" for the document itself
 * @param message what is wrong and what was expected
 */
public record SpecError(String file, int line, int column, String field, String message) {
  /** {@code job.yaml:12:7: steps[1].request.method: expected one of GET, POST, ...}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(file);
    if (line > 0) s.append(':').append(line);
    if (column > 0) s.append(':').append(column);
    s.append(": ");
    if (!field.isEmpty()) s.append(field).append(": ");
    return s.append(message).toString();
  }
}
