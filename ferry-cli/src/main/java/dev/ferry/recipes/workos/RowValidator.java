package dev.ferry.recipes.workos;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.engine.RowInput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks one row against the WorkOS rules (workos-api.md) before any call. Threadsafe (stateless after
 * construction). Messages name the column and never include a password or hash.
 */
final class RowValidator {
  static final Set<String> HASH_TYPES = Set.of("bcrypt", "firebase-scrypt", "ssha", "scrypt", "argon2", "pbkdf2");
  /** The email rule, as a pattern; {@link #isEmail} is the same rule without a regex engine (it is hot). */
  static final Pattern EMAIL = Pattern.compile("^[^@\\s\"<>,;]+@[^@\\s\"<>,;]+\\.[^@\\s\"<>,;.]+$");
  /** The role slug rule, as a pattern; {@link #isRole} is the same rule without a regex engine. */
  static final Pattern ROLE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$");
  private static final ObjectMapper JSON = Json.MAPPER;

  private final Columns columns;
  private final ImportSettings settings;

  RowValidator(Columns columns, ImportSettings settings) {
    this.columns = columns;
    this.settings = settings;
  }

  /** A reason a row is invalid. Immutable. */
  record Problem(String field, String code, String message) {}

  /** Either a row or a problem. */
  record Result(UserRow row, Problem problem) {
    boolean ok() {
      return problem == null;
    }
  }

  Result validate(RowInput in) {
    if (in.error() != null) return bad("", "malformed_record", in.error());
    String email = in.field(columns.email).strip();
    if (email.isEmpty()) return bad("email", "email_missing", "email is empty");
    if (email.length() > 320 || !isEmail(email)) {
      return bad("email", "email_invalid", "email '" + clip(email) + "' is not a valid address");
    }
    Boolean verified = null;
    String ev = in.field(columns.emailVerified).strip().toLowerCase(Locale.ROOT);
    switch (ev) {
      case "" -> { }
      case "true", "yes", "1", "y", "t" -> verified = Boolean.TRUE;
      case "false", "no", "0", "n", "f" -> verified = Boolean.FALSE;
      default -> {
        return bad("email_verified", "email_verified_invalid",
            "email_verified '" + clip(ev) + "' is not a boolean (use true/false, yes/no, 1/0)");
      }
    }
    String externalId = in.field(columns.externalId).strip();
    if (externalId.length() > 64) {
      return bad("external_id", "external_id_too_long",
          "external_id is " + externalId.length() + " characters long (at most 64)");
    }
    String password = in.field(columns.password);
    String hash = in.field(columns.passwordHash).strip();
    String omitted = in.field(columns.secretOmitted).strip();
    if (!omitted.isEmpty() && password.isEmpty() && hash.isEmpty()) {
      // a fed-back errors file: ferry left the secret out of it; importing without it would lose it
      return bad(omitted, "secret_omitted", "this row's " + clip(omitted) + " was left out of the errors file;"
          + " copy it from the original input (line in ferry_line), or clear ferry_secret_omitted to import the"
          + " row without it");
    }
    String hashType = in.field(columns.passwordHashType).strip().toLowerCase(Locale.ROOT);
    if (!password.isEmpty() && !hash.isEmpty()) {
      return bad("password", "password_and_hash", "password and password_hash are both set (use one)");
    }
    if (!hash.isEmpty() && hashType.isEmpty()) {
      return bad("password_hash_type", "password_hash_type_missing", "password_hash is set but password_hash_type is empty");
    }
    if (!hashType.isEmpty() && hash.isEmpty()) {
      return bad("password_hash", "password_hash_missing", "password_hash_type is set but password_hash is empty");
    }
    if (!hashType.isEmpty() && !HASH_TYPES.contains(hashType)) {
      return bad("password_hash_type", "password_hash_type_unknown",
          "password_hash_type '" + clip(hashType) + "' is not one of " + String.join(", ", HASH_TYPES.stream().sorted().toList()));
    }
    Map<String, String> metadata;
    String meta = in.field(columns.metadata).strip();
    if (meta.isEmpty()) {
      metadata = Map.of();
    } else {
      Object parsed = parseMetadata(meta);
      if (parsed instanceof Problem p) return new Result(null, p);
      @SuppressWarnings("unchecked")
      Map<String, String> m = (Map<String, String>) parsed;
      metadata = m;
    }
    String orgId = in.field(columns.orgId).strip();
    String orgExternalId = in.field(columns.orgExternalId).strip();
    String orgName = in.field(columns.orgName).strip();
    if (orgId.isEmpty() && orgExternalId.isEmpty()) {
      orgId = settings.orgId();
      orgExternalId = settings.orgExternalId();
      if (orgName.isEmpty()) orgName = settings.orgName();
    }
    if (!orgId.isEmpty() && !orgExternalId.isEmpty()) {
      orgExternalId = ""; // org_id wins: it needs no lookup
    }
    List<String> roles = parseRoles(in.field(columns.roleSlugs).strip());
    if (roles == null) {
      return bad(columns.name(columns.roleSlugs), "role_slugs_invalid", columns.name(columns.roleSlugs) + " '"
          + clip(in.field(columns.roleSlugs).strip()) + "' is not a comma list or a JSON array of role slugs"
          + " (letters, digits, '_', ':', '.', '-')");
    }
    if (roles.isEmpty() && !externalId.isEmpty()) {
      String mapped = settings.roleMapping().get(externalId);
      if (mapped != null) roles = List.of(mapped);
    }
    if (!roles.isEmpty() && orgId.isEmpty() && orgExternalId.isEmpty()) {
      return bad(columns.name(columns.roleSlugs), "role_without_org", "a role is given but no organization"
          + " (set org_id or org_external_id, or pass --org-id/--org-external-id)");
    }
    return new Result(new UserRow(email, in.field(columns.firstName).strip(), in.field(columns.lastName).strip(),
        verified, externalId, password, hash, hashType, metadata, orgId, orgExternalId, orgName, roles), null);
  }

  private static Object parseMetadata(String meta) {
    JsonNode node;
    try {
      node = JSON.readTree(meta);
    } catch (JsonProcessingException e) {
      // Jackson's own message quotes the input: only the position is used
      JsonLocation at = e.getLocation();
      return new Problem("metadata", "metadata_invalid_json", "metadata is not valid JSON"
          + (at != null && at.getColumnNr() > 0 ? " (at character " + at.getColumnNr() + ")" : ""));
    }
    if (node == null || !node.isObject()) {
      String found = node == null || node.isMissingNode() ? "nothing" : switch (node.getNodeType()) {
        case ARRAY -> "an array";
        case STRING -> "a string";
        case NUMBER -> "a number";
        case BOOLEAN -> "a boolean";
        case NULL -> "null";
        default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
      };
      return new Problem("metadata", "metadata_not_object",
          "metadata must be a JSON object of strings such as {\"plan\":\"pro\"}, found " + found);
    }
    if (node.size() > 10) {
      return new Problem("metadata", "metadata_too_many_keys", "metadata has " + node.size() + " keys (at most 10)");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (var e : node.properties()) {
      String k = e.getKey();
      if (k.isEmpty() || k.length() > 40 || !k.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        return new Problem("metadata", "metadata_key_invalid",
            "metadata key '" + clip(k) + "' must be 1-40 ASCII characters");
      }
      JsonNode v = e.getValue();
      if (!v.isTextual()) {
        return new Problem("metadata", "metadata_value_not_string", "metadata value of '" + k + "' must be a string");
      }
      if (v.asText().length() > 600) {
        return new Problem("metadata", "metadata_value_too_long",
            "metadata value of '" + k + "' is " + v.asText().length() + " characters (at most 600)");
      }
      out.put(k, v.asText());
    }
    return out;
  }

  /**
   * {@link #EMAIL} by hand: one {@code @} with something before it; no whitespace ({@code \\s}: space, tab,
   * LF, VT, FF, CR) nor any of {@code " < > , ;}; after the {@code @}, something, a dot, and a last part
   * without dots.
   */
  static boolean isEmail(String s) {
    int n = s.length();
    int at = -1;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '@' -> {
          if (at >= 0) return false;
          at = i;
        }
        case ' ', '\t', '\n', '\u000B', '\f', '\r', '"', '<', '>', ',', ';' -> {
          return false;
        }
        default -> { }
      }
    }
    if (at < 1) return false;
    int lastDot = s.lastIndexOf('.');
    return lastDot >= at + 2 && lastDot < n - 1;
  }

  /** {@link #ROLE} by hand: an ASCII letter or digit, then up to 99 of letters, digits and {@code _ : . -}. */
  static boolean isRole(String s) {
    int n = s.length();
    if (n < 1 || n > 100) return false;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '_' && c != ':' && c != '.' && c != '-'))) return false;
    }
    return true;
  }

  /** Comma list or JSON array; null when unreadable. */
  static List<String> parseRoles(String raw) {
    if (raw.isEmpty()) return List.of();
    if (raw.charAt(0) != '[' && raw.indexOf(',') < 0) { // one slug: the common case, without a list to build
      String r = raw.strip();
      if (r.isEmpty()) return List.of();
      return isRole(r) ? List.of(r) : null;
    }
    List<String> roles = new ArrayList<>();
    if (raw.startsWith("[")) {
      try {
        JsonNode n = JSON.readTree(raw);
        if (!n.isArray()) return null;
        for (JsonNode r : n) {
          if (!r.isTextual()) return null;
          roles.add(r.asText().strip());
        }
      } catch (Exception e) {
        return null;
      }
    } else {
      for (String r : raw.split(",")) roles.add(r.strip());
    }
    roles.removeIf(String::isEmpty);
    for (String r : roles) if (!isRole(r)) return null;
    return List.copyOf(new java.util.LinkedHashSet<>(roles));
  }

  private static Result bad(String field, String code, String message) {
    return new Result(null, new Problem(field, code, message));
  }

  /** The email of a row for its ledger key: empty when the record is malformed and the field holds no address. */
  static String keyOf(String email, boolean malformed) {
    String e = email.strip();
    if (malformed && (e.length() > 320 || !EMAIL.matcher(e).matches()
        || e.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == 0xfffd))) {
      return "";
    }
    return clip(e);
  }

  /** Shortens a value quoted in a message. */
  static String clip(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
