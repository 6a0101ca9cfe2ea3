package dev.ferry.service;

import dev.ferry.spec.ServeConfig;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks an HMAC-SHA256 signature of a delivery's raw body ({@code X-Firecrawl-Signature: sha256=<hex>}). The
 * comparison takes the same time whatever the first differing byte ({@link MessageDigest#isEqual}). Immutable and
 * threadsafe (a {@link Mac} per call).
 */
final class SignatureCheck {
  private final ServeConfig.Signature signature;
  private final SecretKeySpec key;

  SignatureCheck(ServeConfig.Signature signature) {
    this.signature = signature;
    this.key = new SecretKeySpec(signature.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  String header() {
    return signature.header();
  }

  /** The header's value the sender computes for {@code body} (tests and the example's sender use it too). */
  static String sign(String secret, String prefix, byte[] body) {
    return prefix + HexFormat.of().formatHex(hmac(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8),
        "HmacSHA256"), body));
  }

  /** Whether {@code headerValue} (null when absent) is {@code prefix + hex(HMAC-SHA256(secret, body))}. */
  boolean valid(byte[] body, String headerValue) {
    if (headerValue == null) return false;
    String value = headerValue.strip();
    if (!value.regionMatches(true, 0, signature.prefix(), 0, signature.prefix().length())) return false;
    String hex = value.substring(signature.prefix().length()).toLowerCase(java.util.Locale.ROOT);
    byte[] expected = HexFormat.of().formatHex(hmac(key, body)).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, hex.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] hmac(SecretKeySpec key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
