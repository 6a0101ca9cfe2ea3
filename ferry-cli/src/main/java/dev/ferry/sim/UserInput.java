package dev.ferry.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a create-user body with WorkOS's rules and turns it into the fields to store. Passwords and
 * password hashes are checked for shape and then dropped: they are never stored, logged or echoed.
 *
 * @param metadata never null
 */
record UserInput(String email, String firstName, String lastName, boolean emailVerified, String externalId,
    Metadata metadata) {

  static final Set<String> HASH_TYPES = Set.of("bcrypt", "firebase-scrypt", "ssha", "scrypt", "argon2", "pbkdf2");
  static final int MAX_EXTERNAL_ID = 64;
  static final int MAX_METADATA_KEYS = 10;
  static final int MAX_METADATA_KEY = 40;
  static final int MAX_METADATA_VALUE = 600;
  private static final int MAX_EMAIL = 320;
  private static final Pattern EMAIL = Pattern.compile("[^\\s@]+@[^\\s@.]+(?:\\.[^\\s@.]+)*\\.[^\\s@.]{2,}");

  /** @throws ApiError 422 {@code invalid_request_parameters} listing every bad field */
  static UserInput parse(JsonNode body) {
    List<ErrorBody.FieldError> errors = new ArrayList<>();
    String email = Fields.string(body, "email", errors);
    if (email == null) {
      if (!Fields.present(body, "email")) {
        errors.add(Fields.error("email", "email_required", "email is required."));
      }
    } else if (email.length() > MAX_EMAIL || !EMAIL.matcher(email).matches()) {
      errors.add(Fields.error("email", "email_invalid", "email must be a valid email address."));
    }
    String firstName = Fields.string(body, "first_name", errors);
    String lastName = Fields.string(body, "last_name", errors);
    boolean emailVerified = Fields.bool(body, "email_verified", errors);
    String externalId = Fields.string(body, "external_id", errors);
    if (externalId != null && (externalId.isEmpty() || externalId.codePointCount(0, externalId.length()) > MAX_EXTERNAL_ID)) {
      errors.add(Fields.error("external_id", "external_id_invalid",
          "external_id must be 1 to " + MAX_EXTERNAL_ID + " characters."));
    }
    Metadata metadata = metadata(body, errors);
    passwords(body, errors);
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }
    return new UserInput(email, firstName, lastName, emailVerified, externalId, metadata);
  }

  UserRecord toRecord(SimId id, long createdAtMillis) {
    return new UserRecord(id, email, firstName, lastName, emailVerified, externalId, metadata, createdAtMillis);
  }

  private static Metadata metadata(JsonNode body, List<ErrorBody.FieldError> errors) {
    JsonNode node = body.get("metadata");
    if (node == null || node.isNull()) {
      return Metadata.EMPTY;
    }
    if (!node.isObject()) {
      errors.add(Fields.error("metadata", "metadata_invalid", "metadata must be an object of strings."));
      return Metadata.EMPTY;
    }
    if (node.size() > MAX_METADATA_KEYS) {
      errors.add(Fields.error("metadata", "metadata_too_many_keys",
          "metadata may have at most " + MAX_METADATA_KEYS + " keys."));
      return Metadata.EMPTY;
    }
    List<String> pairs = new ArrayList<>(2 * node.size());
    int before = errors.size();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (key.isEmpty() || key.length() > MAX_METADATA_KEY || !key.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
        errors.add(Fields.error("metadata", "metadata_key_invalid",
            "metadata keys must be 1 to " + MAX_METADATA_KEY + " printable ASCII characters."));
      } else if (!value.isTextual()) {
        errors.add(Fields.error("metadata", "metadata_value_invalid", "metadata values must be strings."));
      } else if (value.textValue().length() > MAX_METADATA_VALUE) {
        errors.add(Fields.error("metadata", "metadata_value_too_long",
            "metadata values may have at most " + MAX_METADATA_VALUE + " characters."));
      } else {
        pairs.add(key);
        pairs.add(value.textValue());
      }
    }
    return errors.size() > before ? Metadata.EMPTY : Metadata.of(pairs.toArray(String[]::new));
  }

  private static void passwords(JsonNode body, List<ErrorBody.FieldError> errors) {
    String password = Fields.string(body, "password", errors);
    String hash = Fields.string(body, "password_hash", errors);
    String hashType = Fields.string(body, "password_hash_type", errors);
    if (password != null && (hash != null || hashType != null)) {
      errors.add(Fields.error("password", "password_and_password_hash",
          "Provide either password or password_hash, not both."));
    }
    if (password != null && password.isEmpty()) {
      errors.add(Fields.error("password", "password_invalid", "password must not be empty."));
    }
    if (hash != null && hashType == null) {
      errors.add(Fields.error("password_hash_type", "password_hash_type_required",
          "password_hash_type is required with password_hash."));
    }
    if (hashType != null && hash == null) {
      errors.add(Fields.error("password_hash", "password_hash_required",
          "password_hash is required with password_hash_type."));
    }
    if (hashType != null && !HASH_TYPES.contains(hashType)) {
      errors.add(Fields.error("password_hash_type", "password_hash_type_invalid",
          "password_hash_type must be one of " + String.join(", ", HASH_TYPES.stream().sorted().toList()) + "."));
    }
  }
}
