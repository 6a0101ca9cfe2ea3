package dev.ferry.sources.sql;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The fingerprint of a SQL source's planned input: the query and key column, and every planned key in order. Its
 * text form (what the job store keeps as the input's fingerprint) is
 * {@code sql1:<SHA-256 of the keys>:<hash of query and key>:<key type i|s, or - when no rows>:<last planned key>},
 * so a resume can re-read exactly the planned key range. Keys are not secrets. Not threadsafe: one per pass.
 */
final class KeyFingerprint {
  static final String PREFIX = "sql1:";

  private final MessageDigest keys = sha256();
  private final String queryHash;
  private KeyType type;
  private Object last;
  private long count;

  KeyFingerprint(String query, String key) {
    MessageDigest q = sha256();
    q.update((query + '\0' + key).getBytes(StandardCharsets.UTF_8));
    this.queryHash = HexFormat.of().formatHex(q.digest()).substring(0, 16);
  }

  void add(KeyType keyType, Object key) {
    this.type = keyType;
    if (key instanceof Long l) {
      keys.update((byte) 'i');
      keys.update(ByteBuffer.allocate(Long.BYTES).putLong(l).array());
    } else {
      byte[] bytes = ((String) key).getBytes(StandardCharsets.UTF_8);
      keys.update((byte) 's');
      keys.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
      keys.update(bytes);
    }
    last = key;
    count++;
  }

  long count() {
    return count;
  }

  /** The text form; call once, at the end of the pass. */
  String finish() {
    return PREFIX + HexFormat.of().formatHex(keys.digest()) + ':' + queryHash + ':'
        + (type == null ? "-" : String.valueOf(type.tag)) + ':' + (last == null ? "" : last.toString());
  }

  /** A fingerprint's parts, or null when {@code text} is not one. */
  static Parsed parse(String text) {
    if (text == null || !text.startsWith(PREFIX)) return null;
    String[] parts = text.substring(PREFIX.length()).split(":", 4);
    if (parts.length != 4 || parts[2].length() != 1) return null;
    if ("-".equals(parts[2])) return new Parsed(parts[0], parts[1], null, null);
    try {
      KeyType type = KeyType.ofTag(parts[2].charAt(0));
      Object last = type == KeyType.INTEGER ? (Object) Long.parseLong(parts[3]) : parts[3];
      return new Parsed(parts[0], parts[1], type, last);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  String queryHash() {
    return queryHash;
  }

  /** @param type null when the plan had no rows (then {@code lastKey} is null too) */
  record Parsed(String keysHash, String queryHash, KeyType type, Object lastKey) {}

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
