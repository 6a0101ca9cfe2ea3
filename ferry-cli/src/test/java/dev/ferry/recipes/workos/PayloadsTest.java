package dev.ferry.recipes.workos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written bodies are byte for byte what Jackson's default generator writes, and the rules match. */
class PayloadsTest {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final String ALPHABET = "aZ09 @._-\"\\/\u0000\u0001\b\t\n\f\r\u001f\u007féü€\u2028😀<>,;:'";

  private static String randomText(Random r, int max) {
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(max + 1);
    for (int i = 0; i < n; i++) b.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
    return b.toString();
  }

  private static String jackson(UserRow u) throws Exception {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      g.writeStartObject();
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
      g.writeEndObject();
    }
    return w.toString();
  }

  private static String jacksonMembership(String user, String org, List<String> roles) throws Exception {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("user_id", user);
      g.writeStringField("organization_id", org);
      if (roles.size() == 1) {
        g.writeStringField("role_slug", roles.get(0));
      } else if (roles.size() > 1) {
        g.writeArrayFieldStart("role_slugs");
        for (String r : roles) g.writeString(r);
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    return w.toString();
  }

  @Test
  void userBodiesMatchJackson() throws Exception {
    Random r = new Random(42);
    for (int i = 0; i < 5_000; i++) {
      Map<String, String> meta = new LinkedHashMap<>();
      for (int k = r.nextInt(3); k > 0; k--) meta.put(randomText(r, 6), randomText(r, 10));
      Boolean verified = switch (r.nextInt(3)) {
        case 0 -> null;
        case 1 -> Boolean.TRUE;
        default -> Boolean.FALSE;
      };
      UserRow u = new UserRow(randomText(r, 20), randomText(r, 8), randomText(r, 8), verified, randomText(r, 5),
          randomText(r, 5), randomText(r, 5), randomText(r, 5), meta, "", "", "", List.of());
      assertThat(Payloads.createUser(u)).isEqualTo(jackson(u));
    }
  }

  @Test
  void membershipAndOrganizationBodiesMatchJackson() throws Exception {
    Random r = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      List<String> roles = new ArrayList<>();
      for (int k = r.nextInt(4); k > 0; k--) roles.add(randomText(r, 6));
      String user = randomText(r, 10);
      String org = randomText(r, 10);
      assertThat(Payloads.createMembership(user, org, roles)).isEqualTo(jacksonMembership(user, org, roles));
      StringWriter w = new StringWriter();
      try (JsonGenerator g = FACTORY.createGenerator(w)) {
        g.writeStartObject();
        g.writeStringField("name", user);
        g.writeStringField("external_id", org);
        g.writeEndObject();
      }
      assertThat(Payloads.createOrganization(user, org)).isEqualTo(w.toString());
    }
  }

  @Test
  void handWrittenEmailAndRoleRulesMatchTheirPatterns() {
    Random r = new Random(1);
    String alphabet = "ab.@ \t\n\u000B\f\r\"<>,;_:-1Z\u00a0é";
    for (int i = 0; i < 200_000; i++) {
      StringBuilder b = new StringBuilder();
      for (int n = r.nextInt(12); n > 0; n--) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
      String s = b.toString();
      assertThat(RowValidator.isEmail(s)).as("email '%s'", s).isEqualTo(RowValidator.EMAIL.matcher(s).matches());
      assertThat(RowValidator.isRole(s)).as("role '%s'", s).isEqualTo(RowValidator.ROLE.matcher(s).matches());
    }
    String longRole = "a".repeat(100);
    assertThat(RowValidator.isRole(longRole)).isTrue();
    assertThat(RowValidator.isRole(longRole + "a")).isFalse();
    assertThat(RowValidator.isEmail("ann@example.com")).isTrue();
  }
}
