package dev.ferry.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Typed reads of request-body fields that collect type errors instead of throwing. Stateless. */
final class Fields {
  private Fields() {}

  static boolean present(JsonNode body, String field) {
    JsonNode node = body.get(field);
    return node != null && !node.isNull();
  }

  /** The string value; null when absent or JSON null; an error (and null) when not a string. */
  static String string(JsonNode body, String field, List<ErrorBody.FieldError> errors) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      errors.add(error(field, field + "_invalid", field + " must be a string."));
      return null;
    }
    return node.textValue();
  }

  /** The boolean value; false when absent or JSON null; an error when not a boolean. */
  static boolean bool(JsonNode body, String field, List<ErrorBody.FieldError> errors) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      errors.add(error(field, field + "_invalid", field + " must be a boolean."));
      return false;
    }
    return node.booleanValue();
  }

  /** A string that must be present and non-blank. */
  static String required(JsonNode body, String field, List<ErrorBody.FieldError> errors) {
    String value = string(body, field, errors);
    if (value == null && !present(body, field) || value != null && value.isBlank()) {
      errors.add(error(field, field + "_required", field + " is required."));
      return null;
    }
    return value;
  }

  static ErrorBody.FieldError error(String field, String code, String message) {
    return new ErrorBody.FieldError(field, code, message);
  }
}
