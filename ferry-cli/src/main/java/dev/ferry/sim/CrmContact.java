package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * A contact of the CRM-like API: {@code {"object":"contact","id":"ct_…","external_id","email","name","properties",
 * "version","created_at","updated_at"}}. Immutable; a patch makes a new version.
 *
 * @param properties free-form JSON object (never null: an empty object node)
 * @param version    1 at creation, +1 per patch
 */
record CrmContact(String id, String externalId, String email, String name, JsonNode properties, long version,
    long createdAtMillis, long updatedAtMillis) implements JsonBody {
  static final String PREFIX = "ct";

  @Override
  public void write(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("object", "contact");
    g.writeStringField("id", id);
    g.writeStringField("external_id", externalId);
    g.writeStringField("email", email);
    g.writeStringField("name", name);
    g.writeFieldName("properties");
    g.writeTree(properties);
    g.writeNumberField("version", version);
    g.writeStringField("created_at", SimJson.timestamp(createdAtMillis));
    g.writeStringField("updated_at", SimJson.timestamp(updatedAtMillis));
    g.writeEndObject();
  }
}
