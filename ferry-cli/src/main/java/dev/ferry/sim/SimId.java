package dev.ferry.sim;

/**
 * A 128-bit ULID-like identifier: 48 bits of epoch millis, then 80 bits of randomness and sequence.
 * Written as a prefix plus 26 Crockford base-32 characters ({@code user_01J9Z3...}). Kept as two longs
 * so a stored user costs 32 bytes of id instead of a 72-byte string. Immutable.
 */
record SimId(long hi, long lo) {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final int LENGTH = 26;
  private static final byte[] VALUES = new byte[128];

  static {
    java.util.Arrays.fill(VALUES, (byte) -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      VALUES[ALPHABET[i]] = (byte) i;
    }
  }

  /** {@code prefix + "_" + 26 characters}. */
  String format(String prefix) {
    StringBuilder out = new StringBuilder(prefix.length() + 1 + LENGTH).append(prefix).append('_');
    for (int i = 0; i < LENGTH; i++) {
      out.append(ALPHABET[fiveBits(125 - 5 * i)]);
    }
    return out.toString();
  }

  /** The id written as {@code prefix_XXXX…}, or null when the text is not one (wrong prefix, length or alphabet). */
  static SimId parse(String prefix, String text) {
    int start = prefix.length() + 1;
    if (text == null || text.length() != start + LENGTH || !text.startsWith(prefix) || text.charAt(prefix.length()) != '_') {
      return null;
    }
    if (text.charAt(start) > '7') {
      return null; // the first character carries only 3 bits
    }
    long hi = 0;
    long lo = 0;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      int v = c < 128 ? VALUES[c] : -1;
      if (v < 0) {
        return null;
      }
      hi = (hi << 5) | (lo >>> 59);
      lo = (lo << 5) | v;
    }
    return new SimId(hi, lo);
  }

  /** Bits {@code shift .. shift+4} of the 128-bit value (bit 0 = lowest bit of {@code lo}). */
  private int fiveBits(int shift) {
    long bits;
    if (shift >= 64) {
      bits = hi >>> (shift - 64);
    } else if (shift > 59) {
      bits = (lo >>> shift) | (hi << (64 - shift));
    } else {
      bits = lo >>> shift;
    }
    return (int) (bits & 31);
  }
}
