package dev.ferry.http;

import java.util.Objects;

/**
 * An API key. Its {@code toString} never shows the value, so it cannot leak through logs, reports or
 * exception messages by accident; only {@link #bearerHeader()} reveals it, to the HTTP layer. Immutable.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /** @throws IllegalArgumentException when blank (the message never includes the value) */
  public static Secret of(String value) {
    Objects.requireNonNull(value, "secret cannot be null");
    String v = value.strip();
    if (v.isEmpty()) throw new IllegalArgumentException("the API key is empty");
    if (v.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("the API key contains spaces or non-ASCII characters");
    }
    return new Secret(v);
  }

  String bearerHeader() {
    return "Bearer " + value;
  }

  /** True when {@code text} contains the secret (used to scrub text before it leaves the process). */
  public boolean occursIn(String text) {
    return text != null && text.contains(value);
  }

  /** Replaces every occurrence of the secret in {@code text}. */
  public String scrub(String text) {
    return text == null ? null : text.replace(value, "***");
  }

  @Override
  public String toString() {
    return "Secret[***]";
  }
}
