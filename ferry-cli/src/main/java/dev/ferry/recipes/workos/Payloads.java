package dev.ferry.recipes.workos;

import java.util.List;
import java.util.Map;

/**
 * Builds the JSON bodies of the WorkOS calls. Threadsafe (stateless).
 *
 * <p>Written by hand into a {@link StringBuilder}: a dry run builds two bodies a row, and a JSON generator
 * per body cost more than the rest of the row. The output is the one Jackson's default generator writes
 * (same field order, same escapes: {@code \"}, {@code \\}, {@code \b \t \n \f \r}, other control characters
 * as {@code \}{@code u00XX}, everything else as is); {@code PayloadsTest} checks that on random input.
 */
final class Payloads {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Payloads() {}

  static String createUser(UserRow u) {
    StringBuilder b = new StringBuilder(128 + u.email().length());
    b.append('{');
    field(b, "email", u.email(), true);
    if (!u.firstName().isEmpty()) field(b, "first_name", u.firstName(), false);
    if (!u.lastName().isEmpty()) field(b, "last_name", u.lastName(), false);
    if (u.emailVerified() != null) b.append(",\"email_verified\":").append(u.emailVerified().booleanValue());
    if (!u.externalId().isEmpty()) field(b, "external_id", u.externalId(), false);
    if (!u.password().isEmpty()) field(b, "password", u.password(), false);
    if (!u.passwordHash().isEmpty()) {
      field(b, "password_hash", u.passwordHash(), false);
      field(b, "password_hash_type", u.passwordHashType(), false);
    }
    if (!u.metadata().isEmpty()) {
      b.append(",\"metadata\":{");
      boolean first = true;
      for (Map.Entry<String, String> e : u.metadata().entrySet()) {
        field(b, e.getKey(), e.getValue(), first);
        first = false;
      }
      b.append('}');
    }
    return b.append('}').toString();
  }

  static String createOrganization(String name, String externalId) {
    StringBuilder b = new StringBuilder(64 + name.length() + externalId.length());
    b.append('{');
    field(b, "name", name, true);
    field(b, "external_id", externalId, false);
    return b.append('}').toString();
  }

  static String createMembership(String userId, String orgId, List<String> roles) {
    StringBuilder b = new StringBuilder(96);
    b.append('{');
    field(b, "user_id", userId, true);
    field(b, "organization_id", orgId, false);
    if (roles.size() == 1) {
      field(b, "role_slug", roles.get(0), false);
    } else if (roles.size() > 1) {
      b.append(",\"role_slugs\":[");
      for (int i = 0; i < roles.size(); i++) {
        if (i > 0) b.append(',');
        string(b, roles.get(i));
      }
      b.append(']');
    }
    return b.append('}').toString();
  }

  private static void field(StringBuilder b, String name, String value, boolean first) {
    if (!first) b.append(',');
    string(b, name);
    b.append(':');
    string(b, value);
  }

  /** Appends {@code s} as a JSON string, escaped as Jackson does by default. */
  static void string(StringBuilder b, String s) {
    b.append('"');
    int n = s.length();
    int run = 0; // start of the run of characters that need no escape
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      b.append(s, run, i);
      run = i + 1;
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\b' -> b.append("\\b");
        case '\t' -> b.append("\\t");
        case '\n' -> b.append("\\n");
        case '\f' -> b.append("\\f");
        case '\r' -> b.append("\\r");
        default -> b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    b.append(s, run, n).append('"');
  }
}
