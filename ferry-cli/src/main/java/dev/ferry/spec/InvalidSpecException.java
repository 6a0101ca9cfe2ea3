package dev.ferry.spec;

import java.util.List;

/** A job spec cannot be used: every error found, each naming file:line:column and the field. Unchecked. */
public final class InvalidSpecException extends RuntimeException {
  private final List<SpecError> errors;

  public InvalidSpecException(List<SpecError> errors) {
    super(String.join("\n", errors.stream().map(SpecError::toString).toList()));
    if (errors.isEmpty()) throw new IllegalArgumentException("no errors");
    this.errors = List.copyOf(errors);
  }

  public InvalidSpecException(SpecError error) {
    this(List.of(error));
  }

  public List<SpecError> errors() {
    return errors;
  }
}
