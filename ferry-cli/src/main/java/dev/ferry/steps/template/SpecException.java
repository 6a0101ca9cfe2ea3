package dev.ferry.steps.template;

import java.util.Objects;

/**
 * A job spec is wrong at a known place: a template that does not parse, an unknown function, a capture path that is
 * not a path, a template that cannot be rendered for a row. The message starts with the location and the field when
 * known ({@code job.yaml:12:7: steps[1].request.body.email: ...}) and never contains a secret. Unchecked.
 */
public class SpecException extends RuntimeException {
  private final SpecLocation location;
  private final String detail;

  /**
   * @param location where the faulty value was written
   * @param detail   what is wrong, and what was expected
   */
  public SpecException(SpecLocation location, String detail) {
    super(prefix(location) + detail);
    this.location = Objects.requireNonNull(location, "location cannot be null");
    this.detail = detail;
  }

  public SpecLocation location() {
    return location;
  }

  /** The message without the location. */
  public String detail() {
    return detail;
  }

  /** {@code job.yaml:12:7: steps[1].request.body.email: }: where, then the field when known. */
  private static String prefix(SpecLocation at) {
    String s = at == null ? "" : at.toString();
    if (at != null && !at.field().isEmpty()) s = s.isEmpty() ? at.field() : s + ": " + at.field();
    return s.isEmpty() ? "" : s + ": ";
  }
}
