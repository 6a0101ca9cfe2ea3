package dev.ferry.sim;

import java.util.Locale;

/**
 * A stored user: about 300 bytes with its two index entries (no password is kept; {@code updated_at}
 * equals {@code created_at} as users are never updated). Immutable.
 */
record UserRecord(
    SimId id,
    String email,
    String firstName,
    String lastName,
    boolean emailVerified,
    String externalId,
    Metadata metadata,
    long createdAtMillis) implements Body {

  static final String PREFIX = "user";

  /** The uniqueness key: the email lowercased (the same instance when already lowercase). */
  String emailKey() {
    return emailKey(email);
  }

  static String emailKey(String email) {
    return email.toLowerCase(Locale.ROOT);
  }
}
