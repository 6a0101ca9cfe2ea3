package dev.ferry.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Validates a create-organization body: {@code name} required, {@code external_id} optional. */
record OrganizationInput(String name, String externalId) {
  static final int MAX_EXTERNAL_ID = 64;

  /** @throws ApiError 422 {@code invalid_request_parameters} */
  static OrganizationInput parse(JsonNode body) {
    List<ErrorBody.FieldError> errors = new ArrayList<>();
    String name = Fields.required(body, "name", errors);
    String externalId = Fields.string(body, "external_id", errors);
    if (externalId != null && (externalId.isEmpty() || externalId.length() > MAX_EXTERNAL_ID)) {
      errors.add(Fields.error("external_id", "external_id_invalid",
          "external_id must be 1 to " + MAX_EXTERNAL_ID + " characters."));
    }
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }
    return new OrganizationInput(name, externalId);
  }

  OrgRecord toRecord(SimId id, long createdAtMillis) {
    return new OrgRecord(id, name, externalId, createdAtMillis);
  }
}
