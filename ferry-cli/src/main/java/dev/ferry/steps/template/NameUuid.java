package dev.ferry.steps.template;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Name-based UUIDs, version 5 (RFC 4122 §4.3: SHA-1 of a namespace and a name) in the URL namespace, so the same
 * URL always maps to the same id (stable point ids for idempotent upserts). Threadsafe (stateless).
 */
final class NameUuid {
  /** RFC 4122's namespace for URLs. */
  static final UUID URL_NAMESPACE = UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

  private NameUuid() {}

  static String of(String name) {
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
    ByteBuffer ns = ByteBuffer.allocate(16).putLong(URL_NAMESPACE.getMostSignificantBits())
        .putLong(URL_NAMESPACE.getLeastSignificantBits());
    sha1.update(ns.array());
    byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
    hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
    hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // RFC 4122 variant
    ByteBuffer b = ByteBuffer.wrap(hash, 0, 16);
    return new UUID(b.getLong(), b.getLong()).toString();
  }
}
