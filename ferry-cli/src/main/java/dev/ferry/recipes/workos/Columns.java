package dev.ferry.recipes.workos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Where each known WorkOS column sits in the input's header. Immutable. */
final class Columns {
  static final Set<String> KNOWN = Set.of("email", "first_name", "last_name", "email_verified", "external_id",
      "password", "password_hash", "password_hash_type", "metadata", "org_id", "org_external_id", "org_name",
      "role_slugs", "role_slug");

  /** Columns of ferry's own errors file (diagnostics): an import of that file ignores them without a warning. */
  static final String FERRY_PREFIX = "ferry_";

  final int email;
  final int firstName;
  final int lastName;
  final int emailVerified;
  final int externalId;
  final int password;
  final int passwordHash;
  final int passwordHashType;
  final int metadata;
  final int orgId;
  final int orgExternalId;
  final int orgName;
  final int roleSlugs;
  /** {@code ferry_secret_omitted} of a fed-back errors file: the secret columns ferry left empty in it. */
  final int secretOmitted;
  final List<String> names;
  final List<String> unknown;

  Columns(List<String> header) {
    this.names = List.copyOf(header);
    List<String> lower = new ArrayList<>();
    for (String h : header) lower.add(h.strip().toLowerCase(Locale.ROOT));
    email = lower.indexOf("email");
    firstName = lower.indexOf("first_name");
    lastName = lower.indexOf("last_name");
    emailVerified = lower.indexOf("email_verified");
    externalId = lower.indexOf("external_id");
    password = lower.indexOf("password");
    passwordHash = lower.indexOf("password_hash");
    passwordHashType = lower.indexOf("password_hash_type");
    metadata = lower.indexOf("metadata");
    orgId = lower.indexOf("org_id");
    orgExternalId = lower.indexOf("org_external_id");
    orgName = lower.indexOf("org_name");
    int rs = lower.indexOf("role_slugs");
    roleSlugs = rs >= 0 ? rs : lower.indexOf("role_slug");
    secretOmitted = lower.indexOf(FERRY_PREFIX + "secret_omitted");
    List<String> unk = new ArrayList<>();
    for (String h : lower) if (!KNOWN.contains(h) && !h.startsWith(FERRY_PREFIX)) unk.add(h);
    unknown = List.copyOf(unk);
  }

  String name(int index) {
    return index >= 0 && index < names.size() ? names.get(index) : "column " + (index + 1);
  }
}
