package dev.ferry.sim;

import java.util.Locale;

/**
 * A stored user, packed to about 290 bytes with its index entries (1M users with external ids in
 * ~300 MB): the id as two longs, the names in one byte array. No password is kept; {@code updated_at}
 * equals {@code created_at} as users are never updated. Immutable.
 */
final class UserRecord implements Body, Identified {
  static final String PREFIX = "user";

  private final long idHi;
  private final long idLo;
  private final String email;
  private final byte[] names;
  private final String externalId;
  private final Metadata metadata;
  private final long createdAtMillis;
  private final boolean emailVerified;

  UserRecord(SimId id, String email, String firstName, String lastName, boolean emailVerified, String externalId,
      Metadata metadata, long createdAtMillis) {
    this.idHi = id.hi();
    this.idLo = id.lo();
    this.email = email;
    this.names = firstName == null && lastName == null ? null : PackedText.pack(firstName, lastName);
    this.emailVerified = emailVerified;
    this.externalId = externalId;
    this.metadata = metadata;
    this.createdAtMillis = createdAtMillis;
  }

  @Override
  public SimId id() {
    return new SimId(idHi, idLo);
  }

  @Override
  public boolean hasId(SimId id) {
    return id.hi() == idHi && id.lo() == idLo;
  }

  String email() {
    return email;
  }

  String firstName() {
    return names == null ? null : PackedText.unpack(names, 0);
  }

  String lastName() {
    return names == null ? null : PackedText.unpack(names, 1);
  }

  boolean emailVerified() {
    return emailVerified;
  }

  String externalId() {
    return externalId;
  }

  Metadata metadata() {
    return metadata;
  }

  long createdAtMillis() {
    return createdAtMillis;
  }

  /** The uniqueness key: the email lowercased (the same instance when already lowercase). */
  String emailKey() {
    return emailKey(email);
  }

  static String emailKey(String email) {
    return email.toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "UserRecord[" + id().format(PREFIX) + "]"; // no personal data in logs
  }
}
