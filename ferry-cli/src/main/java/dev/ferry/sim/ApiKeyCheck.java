package dev.ferry.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks {@code Authorization: Bearer <key>}: the configured key exactly (constant-time compare), or
 * else any key of the expected shape (WorkOS: {@code sk_test_…}/{@code sk_live_…}). Never logs or echoes a key.
 * Immutable.
 */
final class ApiKeyCheck {
  private static final Pattern KEY_SHAPE = Pattern.compile("sk_(test|live)_\\S+");
  private static final String BEARER = "bearer ";

  private final byte[] requiredKey;
  private final Pattern shape;

  /** @param requiredKey null to accept any well-shaped WorkOS key */
  ApiKeyCheck(String requiredKey) {
    this(requiredKey, KEY_SHAPE);
  }

  /** @param shape what a key must look like when no key is required */
  ApiKeyCheck(String requiredKey, Pattern shape) {
    this.requiredKey = requiredKey == null ? null : requiredKey.getBytes(StandardCharsets.UTF_8);
    this.shape = shape;
  }

  /** Whether a key given on its own (not in a bearer header, e.g. Qdrant's {@code api-key}) is accepted. */
  boolean acceptsKey(String key) {
    if (key == null) {
      return false;
    }
    if (requiredKey != null) {
      return MessageDigest.isEqual(requiredKey, key.getBytes(StandardCharsets.UTF_8));
    }
    return shape.matcher(key).matches();
  }

  /** @param authorization the header value, or null when absent */
  boolean accepts(String authorization) {
    if (authorization == null || authorization.length() <= BEARER.length()
        || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return false;
    }
    return acceptsKey(authorization.substring(BEARER.length()).trim());
  }
}
