package dev.ferry.recipes.workos;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Builds the JSON bodies of the WorkOS calls. Threadsafe (stateless). */
final class Payloads {
  private static final JsonFactory FACTORY = new JsonFactory();

  private Payloads() {}

  static String createUser(UserRow u) {
    return write(g -> {
      g.writeStringField("email", u.email());
      if (!u.firstName().isEmpty()) g.writeStringField("first_name", u.firstName());
      if (!u.lastName().isEmpty()) g.writeStringField("last_name", u.lastName());
      if (u.emailVerified() != null) g.writeBooleanField("email_verified", u.emailVerified());
      if (!u.externalId().isEmpty()) g.writeStringField("external_id", u.externalId());
      if (!u.password().isEmpty()) g.writeStringField("password", u.password());
      if (!u.passwordHash().isEmpty()) {
        g.writeStringField("password_hash", u.passwordHash());
        g.writeStringField("password_hash_type", u.passwordHashType());
      }
      if (!u.metadata().isEmpty()) {
        g.writeObjectFieldStart("metadata");
        for (Map.Entry<String, String> e : u.metadata().entrySet()) g.writeStringField(e.getKey(), e.getValue());
        g.writeEndObject();
      }
    });
  }

  static String createOrganization(String name, String externalId) {
    return write(g -> {
      g.writeStringField("name", name);
      g.writeStringField("external_id", externalId);
    });
  }

  static String createMembership(String userId, String orgId, List<String> roles) {
    return write(g -> {
      g.writeStringField("user_id", userId);
      g.writeStringField("organization_id", orgId);
      if (roles.size() == 1) {
        g.writeStringField("role_slug", roles.get(0));
      } else if (roles.size() > 1) {
        g.writeArrayFieldStart("role_slugs");
        for (String r : roles) g.writeString(r);
        g.writeEndArray();
      }
    });
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static String write(Body body) {
    StringWriter w = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      g.writeStartObject();
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }
}
