package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import dev.ferry.json.PooledJson;

/**
 * Reads request bodies and writes response bodies in the WorkOS shapes. Stateless, threadsafe.
 * Jackson's buffers come from a pool shared by all threads ({@link PooledJson}: ~6 % of the simulator's CPU at
 * 5 ms latency, JFR profile of the peer benchmark's workload c).
 */
final class SimJson {
  static final ObjectMapper MAPPER = new ObjectMapper(PooledJson.factory())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final JsonFactory FACTORY = MAPPER.getFactory();
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private SimJson() {}

  /** @throws ApiError 400 when the body is not one JSON object */
  static JsonNode parseObject(byte[] body) {
    JsonNode node;
    try {
      node = body.length == 0 ? null : MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest("invalid_json", "The request body is not valid JSON.");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (node == null || !node.isObject()) {
      throw ApiError.badRequest("invalid_json", "The request body must be a JSON object.");
    }
    return node;
  }

  static String timestamp(long epochMillis) {
    return TIMESTAMP.format(Instant.ofEpochMilli(epochMillis));
  }

  /** The body's bytes; empty for null. */
  static byte[] render(Body body) {
    if (body == null) {
      return new byte[0];
    }
    return write(g -> writeBody(g, body));
  }

  /** Renders a flat JSON object of stats. */
  static byte[] render(SimStats stats) {
    return write(g -> {
      g.writeStartObject();
      g.writeNumberField("users", stats.users());
      g.writeNumberField("users_created", stats.usersCreated());
      g.writeNumberField("users_deleted", stats.usersDeleted());
      g.writeNumberField("organizations", stats.organizations());
      g.writeNumberField("organizations_created", stats.organizationsCreated());
      g.writeNumberField("memberships", stats.memberships());
      g.writeNumberField("memberships_created", stats.membershipsCreated());
      g.writeNumberField("duplicates_refused", stats.duplicatesRefused());
      g.writeNumberField("duplicate_creations", stats.duplicateCreations());
      g.writeNumberField("requests", stats.requests());
      g.writeObjectFieldStart("requests_by_route");
      for (Map.Entry<String, Long> e : stats.requestsByRoute().entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeNumberField("rate_limited", stats.rateLimited());
      g.writeNumberField("unauthorized", stats.unauthorized());
      g.writeNumberField("errors_injected", stats.errorsInjected());
      g.writeNumberField("hangs_injected", stats.hangsInjected());
      g.writeNumberField("drops_injected", stats.dropsInjected());
      g.writeNumberField("slow_injected", stats.slowInjected());
      g.writeNumberField("idempotent_replays", stats.idempotentReplays());
      g.writeNumberField("in_flight", stats.inFlight());
      g.writeNumberField("max_in_flight", stats.maxInFlight());
      g.writeNumberField("serial_wait_ms", stats.serialWait().toNanos() / 1e6);
      stats.embeddings().write(g);
      stats.points().write(g);
      stats.crm().write(g);
      g.writeEndObject();
    });
  }

  private interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(Writer writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeBody(JsonGenerator g, Body body) throws IOException {
    switch (body) {
      case UserRecord u -> writeUser(g, u);
      case OrgRecord o -> writeOrganization(g, o);
      case MembershipRecord m -> writeMembership(g, m);
      case ListBody l -> writeList(g, l);
      case ErrorBody e -> writeError(g, e);
      case JsonBody j -> j.write(g);
    }
  }

  private static void writeUser(JsonGenerator g, UserRecord u) throws IOException {
    g.writeStartObject();
    g.writeStringField("object", "user");
    g.writeStringField("id", u.id().format(UserRecord.PREFIX));
    g.writeStringField("email", u.email());
    g.writeBooleanField("email_verified", u.emailVerified());
    g.writeStringField("first_name", u.firstName());
    g.writeStringField("last_name", u.lastName());
    g.writeNullField("profile_picture_url");
    g.writeNullField("last_sign_in_at");
    g.writeStringField("external_id", u.externalId());
    g.writeObjectFieldStart("metadata");
    Metadata metadata = u.metadata();
    for (int i = 0; i < metadata.size(); i++) {
      g.writeStringField(metadata.key(i), metadata.value(i));
    }
    g.writeEndObject();
    String created = timestamp(u.createdAtMillis());
    g.writeStringField("created_at", created);
    g.writeStringField("updated_at", created);
    g.writeEndObject();
  }

  private static void writeOrganization(JsonGenerator g, OrgRecord o) throws IOException {
    g.writeStartObject();
    g.writeStringField("object", "organization");
    g.writeStringField("id", o.id().format(OrgRecord.PREFIX));
    g.writeStringField("name", o.name());
    g.writeStringField("external_id", o.externalId());
    g.writeBooleanField("allow_profiles_outside_organization", false);
    g.writeArrayFieldStart("domains");
    g.writeEndArray();
    g.writeObjectFieldStart("metadata");
    g.writeEndObject();
    String created = timestamp(o.createdAtMillis());
    g.writeStringField("created_at", created);
    g.writeStringField("updated_at", created);
    g.writeEndObject();
  }

  private static void writeMembership(JsonGenerator g, MembershipRecord m) throws IOException {
    g.writeStartObject();
    g.writeStringField("object", "organization_membership");
    g.writeStringField("id", m.id().format(MembershipRecord.PREFIX));
    g.writeStringField("user_id", m.userId().format(UserRecord.PREFIX));
    g.writeStringField("organization_id", m.organizationId().format(OrgRecord.PREFIX));
    g.writeStringField("organization_name", m.organizationName());
    g.writeObjectFieldStart("role");
    g.writeStringField("slug", m.roleSlugs().getFirst());
    g.writeEndObject();
    if (m.roleSlugs().size() > 1) {
      g.writeArrayFieldStart("roles");
      for (String slug : m.roleSlugs()) {
        g.writeStartObject();
        g.writeStringField("slug", slug);
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeStringField("status", "active");
    String created = timestamp(m.createdAtMillis());
    g.writeStringField("created_at", created);
    g.writeStringField("updated_at", created);
    g.writeEndObject();
  }

  private static void writeList(JsonGenerator g, ListBody l) throws IOException {
    g.writeStartObject();
    g.writeStringField("object", "list");
    g.writeArrayFieldStart("data");
    for (Body item : l.data()) {
      writeBody(g, item);
    }
    g.writeEndArray();
    g.writeObjectFieldStart("list_metadata");
    g.writeNullField("before");
    g.writeNullField("after");
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void writeError(JsonGenerator g, ErrorBody e) throws IOException {
    g.writeStartObject();
    g.writeStringField("code", e.code());
    g.writeStringField("message", e.message());
    if (!e.errors().isEmpty()) {
      g.writeArrayFieldStart("errors");
      for (ErrorBody.FieldError f : e.errors()) {
        g.writeStartObject();
        if (f.field() != null) {
          g.writeStringField("field", f.field());
        }
        g.writeStringField("code", f.code());
        g.writeStringField("message", f.message());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }
}
