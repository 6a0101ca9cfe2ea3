package dev.ferry.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks {@code Authorization: Bearer <key>}: the configured key exactly (constant-time compare), or
 * else any key shaped like {@code sk_test_…}/{@code sk_live_…}. Never logs or echoes a key. Immutable.
 */
final class ApiKeyCheck {
  private static final Pattern KEY_SHAPE = Pattern.compile("sk_(test|live)_\\S+");
  private static final String BEARER = "bearer ";

  private final byte[] requiredKey;

  /** @param requiredKey null to accept any well-shaped key */
  ApiKeyCheck(String requiredKey) {
    this.requiredKey = requiredKey == null ? null : requiredKey.getBytes(StandardCharsets.UTF_8);
  }

  /** @param authorization the header value, or null when absent */
  boolean accepts(String authorization) {
    if (authorization == null || authorization.length() <= BEARER.length()
        || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return false;
    }
    String key = authorization.substring(BEARER.length()).trim();
    if (requiredKey != null) {
      return MessageDigest.isEqual(requiredKey, key.getBytes(StandardCharsets.UTF_8));
    }
    return KEY_SHAPE.matcher(key).matches();
  }
}
