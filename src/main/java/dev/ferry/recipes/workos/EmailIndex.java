package dev.ferry.recipes.workos;

import java.util.Locale;

/**
 * Remembers the first line of every email seen while planning, in a primitive open-addressing table of 64-bit
 * email hashes (16 bytes an email, no objects), so duplicates are caught anywhere in a large file. Two
 * different emails share a 64-bit hash with negligible probability (about n²/2⁶⁵). Not threadsafe: the
 * planner uses it from one thread.
 */
final class EmailIndex {
  private long[] keys;
  private long[] lines;
  private int size;

  EmailIndex() {
    keys = new long[1 << 12];
    lines = new long[1 << 12];
  }

  /** Records the email's line; returns the line of an earlier occurrence, or 0 when it is new. */
  long putIfAbsent(String email, long line) {
    long h = hash(email);
    if (h == 0) h = 1; // 0 marks an empty slot
    int mask = keys.length - 1;
    int i = (int) mix(h) & mask;
    while (keys[i] != 0) {
      if (keys[i] == h) return lines[i];
      i = (i + 1) & mask;
    }
    keys[i] = h;
    lines[i] = line;
    if (++size * 2 > keys.length) grow();
    return 0;
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldLines = lines;
    keys = new long[oldKeys.length * 2];
    lines = new long[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] == 0) continue;
      int i = (int) mix(oldKeys[j]) & mask;
      while (keys[i] != 0) i = (i + 1) & mask;
      keys[i] = oldKeys[j];
      lines[i] = oldLines[j];
    }
  }

  /** FNV-1a over the lower-cased, trimmed email, then a final avalanche. */
  static long hash(String email) {
    String e = email.strip().toLowerCase(Locale.ROOT);
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < e.length(); i++) {
      h ^= e.charAt(i);
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
