package dev.ferry.sim;

import java.nio.charset.StandardCharsets;

/**
 * Several optional strings in one byte array (UTF-8, each prefixed with a varint of length + 1; 0 means
 * null): one array header instead of two objects per string. Stateless.
 */
final class PackedText {
  private PackedText() {}

  static byte[] pack(String... values) {
    int total = 0;
    byte[][] encoded = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      encoded[i] = values[i] == null ? null : values[i].getBytes(StandardCharsets.UTF_8);
      total += 5 + (encoded[i] == null ? 0 : encoded[i].length);
    }
    byte[] out = new byte[total];
    int at = 0;
    for (byte[] value : encoded) {
      int header = value == null ? 0 : value.length + 1;
      while ((header & ~0x7F) != 0) {
        out[at++] = (byte) ((header & 0x7F) | 0x80);
        header >>>= 7;
      }
      out[at++] = (byte) header;
      if (value != null) {
        System.arraycopy(value, 0, out, at, value.length);
        at += value.length;
      }
    }
    return java.util.Arrays.copyOf(out, at);
  }

  /** The {@code index}-th string given to {@link #pack}. */
  static String unpack(byte[] packed, int index) {
    int at = 0;
    for (int i = 0; ; i++) {
      int header = 0;
      int shift = 0;
      byte b;
      do {
        b = packed[at++];
        header |= (b & 0x7F) << shift;
        shift += 7;
      } while ((b & 0x80) != 0);
      int length = header == 0 ? 0 : header - 1;
      if (i == index) {
        return header == 0 ? null : new String(packed, at, length, StandardCharsets.UTF_8);
      }
      at += length;
    }
  }
}
