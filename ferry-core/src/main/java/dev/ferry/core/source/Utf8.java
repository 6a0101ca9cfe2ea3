package dev.ferry.core.source;

/** Strict UTF-8 validation (Unicode table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF). */
final class Utf8 {
  private Utf8() {}

  /** Whether {@code b[from, to)} is well-formed UTF-8. */
  static boolean isValid(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      int c = b[i];
      if (c >= 0) {
        i++;
        continue;
      }
      c &= 0xFF;
      if (c < 0xC2) {
        return false; // a continuation byte, or a lead byte of an overlong 2-byte form
      }
      if (c < 0xE0) {
        if (i + 1 >= to || !continuation(b[i + 1])) {
          return false;
        }
        i += 2;
      } else if (c < 0xF0) {
        if (i + 2 >= to || !continuation(b[i + 1]) || !continuation(b[i + 2])) {
          return false;
        }
        int c1 = b[i + 1] & 0xFF;
        if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) {
          return false; // overlong, or a surrogate
        }
        i += 3;
      } else if (c < 0xF5) {
        if (i + 3 >= to || !continuation(b[i + 1]) || !continuation(b[i + 2]) || !continuation(b[i + 3])) {
          return false;
        }
        int c1 = b[i + 1] & 0xFF;
        if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) {
          return false; // overlong, or above U+10FFFF
        }
        i += 4;
      } else {
        return false;
      }
    }
    return true;
  }

  private static boolean continuation(byte b) {
    return (b & 0xC0) == 0x80;
  }
}
