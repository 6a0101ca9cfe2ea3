package dev.ferry.sources;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Finds the rows whose key (an email, an external id...; compared ignoring case and surrounding spaces) appeared on an
 * earlier row, with the line of that first occurrence, in memory that does not grow with the input: the WorkOS
 * import's duplicate emails and a spec's {@code unique}.
 *
 * <p>Up to {@code memoryEmails} distinct emails live in a primitive open-addressing table of 64-bit hashes
 * and first lines (16 bytes a slot, at most half full, no objects): a repeat of one of them is reported at
 * once. After that the table is frozen (still consulted) and every further row is appended to one of 256
 * spill files by its hash's top byte — hash, row, line, email — and {@link #finish} reads the files one at a
 * time, each with a table of its own, and reports the repeats among them. A file holds rows in input order,
 * so "first" always means the earliest row. Two different emails share a 64-bit hash with negligible
 * probability (about n²/2⁶⁵).
 *
 * <p>Spill files are in a fresh owner-only temporary directory (they hold emails, as the input does), and
 * are deleted by {@link #finish} or {@link #close}. Not threadsafe: the planner uses it from one thread.
 */
public final class KeyIndex implements AutoCloseable {
  /** Distinct emails kept in memory before spilling (16 MiB of table). */
  static final int DEFAULT_MEMORY_EMAILS = 1 << 19;
  private static final int PARTITION_BITS = 8;
  private static final int PARTITIONS = 1 << PARTITION_BITS;

  /** Told about each row whose email appeared before. */
  @FunctionalInterface
  public interface Sink {
    /**
     * @param row       the repeat's row
     * @param line      the repeat's line
     * @param email     the repeat's email, as written (stripped)
     * @param firstLine the line of the email's first occurrence
     */
    void duplicate(long row, long line, String email, long firstLine) throws IOException;
  }

  private final int memoryEmails;
  private final LongTable memory = new LongTable(1 << 12);
  private Path spillDir;
  private DataOutputStream[] spills;
  private int[] spilled;

  public KeyIndex() {
    this(DEFAULT_MEMORY_EMAILS);
  }

  KeyIndex(int memoryEmails) {
    if (memoryEmails < 1) throw new IllegalArgumentException("memoryEmails must be >= 1");
    this.memoryEmails = memoryEmails;
  }

  /** True once rows go to spill files. */
  boolean spilling() {
    return spills != null;
  }

  /**
   * Records the email of a row; reports it to {@code sink} now when it repeats an email of the in-memory
   * table, else later from {@link #finish} if it repeats a spilled one.
   *
   * @param email stripped, not empty
   */
  public void add(String email, long row, long line, Sink sink) throws IOException {
    long h = hash(email);
    long first = memory.get(h);
    if (first != 0) {
      sink.duplicate(row, line, email, first);
      return;
    }
    if (spills == null && memory.size() < memoryEmails) {
      memory.put(h, line);
      return;
    }
    if (spills == null) openSpills();
    int p = (int) (h >>> (64 - PARTITION_BITS));
    DataOutputStream out = spills[p]; // record: hash, row, line, email length, email (UTF-8)
    out.writeLong(h);
    out.writeLong(row);
    out.writeLong(line);
    byte[] bytes = email.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
    spilled[p]++;
  }

  /** Reports the repeats among spilled rows (partition by partition) and deletes the spill files. */
  public void finish(Sink sink) throws IOException {
    if (spills == null) return;
    for (DataOutputStream out : spills) out.close();
    for (int p = 0; p < PARTITIONS; p++) {
      Path file = spillDir.resolve("p" + p);
      if (spilled[p] > 0) {
        LongTable table = new LongTable(Integer.highestOneBit(Math.max(2, spilled[p])) * 4);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
          for (int i = 0; i < spilled[p]; i++) {
            long h = in.readLong();
            long row = in.readLong();
            long line = in.readLong();
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            long first = table.get(h);
            if (first != 0) {
              sink.duplicate(row, line, new String(bytes, StandardCharsets.UTF_8), first);
            } else {
              table.put(h, line);
            }
          }
        } catch (EOFException e) {
          throw new IOException("spill file " + file + " is shorter than written", e);
        }
      }
      Files.deleteIfExists(file);
    }
    close();
  }

  @Override
  public void close() {
    if (spillDir == null) return;
    if (spills != null) {
      for (OutputStream out : spills) {
        try {
          out.close();
        } catch (IOException ignored) {
          // deleting anyway
        }
      }
    }
    try (Stream<Path> files = Files.walk(spillDir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the temporary directory " + spillDir, e);
    } finally {
      spillDir = null;
      spills = null;
    }
  }

  private void openSpills() throws IOException {
    spillDir = Files.getFileStore(Path.of(System.getProperty("java.io.tmpdir"))).supportsFileAttributeView("posix")
        ? Files.createTempDirectory("ferry-emails-", PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")))
        : Files.createTempDirectory("ferry-emails-");
    spills = new DataOutputStream[PARTITIONS];
    spilled = new int[PARTITIONS];
    for (int p = 0; p < PARTITIONS; p++) {
      spills[p] = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spillDir.resolve("p" + p)),
          1 << 13));
    }
  }

  /** FNV-1a over the lower-cased, trimmed email, then a final avalanche; never 0. */
  static long hash(String email) {
    String e = email.strip();
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < e.length(); i++) {
      char c = e.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + 32);
      } else if (c >= 0x80) {
        return hashSlow(e);
      }
      h ^= c;
      h *= 0x100000001b3L;
    }
    h = mix(h);
    return h == 0 ? 1 : h;
  }

  /** The same hash for emails with non-ASCII characters (Unicode lower case). */
  private static long hashSlow(String e) {
    String lower = e.toLowerCase(Locale.ROOT);
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < lower.length(); i++) {
      h ^= lower.charAt(i);
      h *= 0x100000001b3L;
    }
    h = mix(h);
    return h == 0 ? 1 : h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  /** Open addressing, hash → value (both non-zero), at most half full. Not threadsafe. */
  private static final class LongTable {
    private long[] keys;
    private long[] values;
    private int size;

    LongTable(int capacity) {
      keys = new long[capacity];
      values = new long[capacity];
    }

    int size() {
      return size;
    }

    long get(long h) {
      int mask = keys.length - 1;
      for (int i = (int) mix(h) & mask; keys[i] != 0; i = (i + 1) & mask) {
        if (keys[i] == h) return values[i];
      }
      return 0;
    }

    void put(long h, long value) {
      if ((size + 1) * 2 > keys.length) grow();
      int mask = keys.length - 1;
      int i = (int) mix(h) & mask;
      while (keys[i] != 0) i = (i + 1) & mask;
      keys[i] = h;
      values[i] = value;
      size++;
    }

    private void grow() {
      long[] oldKeys = keys;
      long[] oldValues = values;
      keys = new long[oldKeys.length * 2];
      values = new long[oldKeys.length * 2];
      int mask = keys.length - 1;
      for (int j = 0; j < oldKeys.length; j++) {
        if (oldKeys[j] == 0) continue;
        int i = (int) mix(oldKeys[j]) & mask;
        while (keys[i] != 0) i = (i + 1) & mask;
        keys[i] = oldKeys[j];
        values[i] = oldValues[j];
      }
    }
  }
}
