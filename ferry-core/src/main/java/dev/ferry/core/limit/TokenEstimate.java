package dev.ferry.core.limit;

/**
 * The token count ferry and its simulator agree on for text sent to a language-model API (embeddings):
 * {@code ceil(UTF-8 bytes / 4)}. For English this is OpenAI's rule of thumb of about four characters a token;
 * counting bytes instead of characters keeps non-Latin text (three UTF-8 bytes a character, and closer to one token
 * a character in real tokenizers) from being underestimated fourfold. It is an estimate for pacing and batching,
 * not a tokenizer: a real server's {@code usage.prompt_tokens} may differ, and the simulator counts exactly this.
 *
 * <p>Stateless; threadsafe.
 */
public final class TokenEstimate {
  /** UTF-8 bytes counted as one token. */
  public static final int BYTES_PER_TOKEN = 4;

  private TokenEstimate() {}

  /** The estimated tokens of {@code text}: 0 for empty text, else at least 1. */
  public static long of(CharSequence text) {
    return Math.ceilDiv(utf8Length(text), BYTES_PER_TOKEN);
  }

  /**
   * The length of {@code text} encoded as UTF-8 without encoding it; a lone surrogate counts as the one byte
   * ({@code ?}) that {@link String#getBytes(java.nio.charset.Charset)} writes for it.
   */
  static long utf8Length(CharSequence text) {
    long bytes = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes += 1;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
