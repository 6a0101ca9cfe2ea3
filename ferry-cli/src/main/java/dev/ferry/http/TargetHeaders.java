package dev.ferry.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Headers sent with every request to one target (the WorkOS key's {@code Authorization: Bearer ...}, a spec
 * target's {@code api-key: ...}). Every value is treated as a secret: {@link #toString()} masks them, and
 * {@link #scrub} removes them from text before it leaves the process: each word of eight or more characters of a
 * value (the token of {@code Bearer <token>}, which scrubs to {@code Bearer ***}, wherever the token appears), or
 * the whole value when it has no such word; and each of those as a server may echo it encoded ({@link SecretMask}:
 * JSON-escaped, percent-encoded, as HTML character references). Immutable; threadsafe.
 */
public final class TargetHeaders {
  private static final int MIN_SECRET_WORD = 8;
  private final String[] pairs;
  private final List<String> secrets;
  /** The secrets' encoded forms (those of at least {@link SecretMask#MIN_LENGTH} characters). */
  private final SecretMask encoded;

  private TargetHeaders(String[] pairs) {
    this.pairs = pairs;
    List<String> s = new ArrayList<>();
    for (int i = 1; i < pairs.length; i += 2) {
      List<String> words = new ArrayList<>();
      for (String word : pairs[i].split("\\s+")) if (word.length() >= MIN_SECRET_WORD) words.add(word);
      // "Bearer <token>" scrubs to "Bearer ***" (the scheme says what was there); a value without a long word whole
      s.addAll(words.isEmpty() ? List.of(pairs[i]) : words);
    }
    s.sort((a, b) -> b.length() - a.length()); // longest first: a secret containing another is replaced whole
    this.secrets = List.copyOf(s);
    this.encoded = SecretMask.of(s);
  }

  /** {@code Authorization: Bearer <key>}. */
  public static TargetHeaders bearer(Secret key) {
    return new TargetHeaders(new String[] {"Authorization", key.bearerHeader()});
  }

  /**
   * Headers in the given order; a header with an empty value is left out (an unset optional key).
   *
   * @throws IllegalArgumentException when a name is not a header name or a value holds a line break (the message
   *     never shows the value)
   */
  public static TargetHeaders of(Map<String, String> headers) {
    List<String> p = new ArrayList<>();
    headers.forEach((name, value) -> {
      Objects.requireNonNull(name, "header name cannot be null");
      if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        throw new IllegalArgumentException("'" + name + "' is not an HTTP header name");
      }
      String v = value == null ? "" : value.strip();
      if (v.isEmpty()) return;
      if (v.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
        throw new IllegalArgumentException("the value of header '" + name + "' holds a line break");
      }
      p.add(name);
      p.add(v);
    });
    return new TargetHeaders(p.toArray(new String[0]));
  }

  /** No header. */
  public static TargetHeaders none() {
    return new TargetHeaders(new String[0]);
  }

  /** Names and values alternating (the values are secrets: for the transport only). */
  String[] pairs() {
    return pairs;
  }

  /** The header names, in order. */
  public List<String> names() {
    List<String> n = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) n.add(pairs[i]);
    return n;
  }

  /** {@code text} with every secret replaced by {@code ***}; null stays null. */
  public String scrub(String text) {
    if (text == null) return null;
    String t = text;
    for (String s : secrets) t = t.replace(s, "***");
    return encoded.mask(t);
  }

  /** True when {@code text} contains a secret. */
  public boolean occursIn(String text) {
    if (text == null) return false;
    for (String s : secrets) if (text.contains(s)) return true;
    return encoded.occursIn(text);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("TargetHeaders[");
    for (int i = 0; i < pairs.length; i += 2) b.append(i == 0 ? "" : ", ").append(pairs[i]).append(": ***");
    return b.append(']').toString();
  }
}
