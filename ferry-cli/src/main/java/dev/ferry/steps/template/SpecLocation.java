package dev.ferry.steps.template;

import java.util.Objects;

/**
 * Where something was written in a job spec: the file, the 1-based line and column of the value, and the field's
 * path when known. Errors about a template, a capture path or a step name it so the user can jump to it. Immutable.
 *
 * @param file   the spec's file name as the user gave it (or a built-in spec's name)
 * @param line   1-based line; 0 when unknown
 * @param column 1-based column; 0 when unknown
 * @param field  the value's path ({@code steps[1].request.body.email}), or "" when unknown
 */
public record SpecLocation(String file, int line, int column, String field) {
  /** For values built in code, not read from a spec. */
  public static final SpecLocation UNKNOWN = new SpecLocation("", 0, 0);

  public SpecLocation {
    Objects.requireNonNull(file, "file cannot be null");
    field = field == null ? "" : field;
    if (line < 0 || column < 0) throw new IllegalArgumentException("line and column must be >= 0");
  }

  /** A place with no field named. */
  public SpecLocation(String file, int line, int column) {
    this(file, line, column, "");
  }

  /** The same file, line and field, {@code offset} columns further right (a position inside a one-line value). */
  public SpecLocation shifted(int offset) {
    return column == 0 ? this : new SpecLocation(file, line, column + offset, field);
  }

  /** {@code job.yaml:12:7}, {@code job.yaml:12}, {@code job.yaml} or "" when unknown (the field is not part of it). */
  @Override
  public String toString() {
    if (line == 0) return file;
    return file + ":" + line + (column == 0 ? "" : ":" + column);
  }
}
