package dev.ferry.sim;

import java.util.List;

/**
 * An error answer: {@code {"code", "message", "errors"?: [{"field"?, "code", "message"}]}}. Immutable.
 *
 * @param errors empty when the answer has no {@code errors} array
 */
record ErrorBody(String code, String message, List<FieldError> errors) implements Body {
  ErrorBody {
    errors = List.copyOf(errors);
  }

  ErrorBody(String code, String message) {
    this(code, message, List.of());
  }

  /** One entry of {@code errors}. @param field null when the error is not about one field */
  record FieldError(String field, String code, String message) {}
}
