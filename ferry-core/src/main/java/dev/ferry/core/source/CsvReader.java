package dev.ferry.core.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the records of a CSV file from a given byte offset, one at a time, knowing for each its row number,
 * the line it starts on and its byte range. Made for chunked, resumable imports: {@link ChunkPlanner} notes
 * where chunks start, and a worker later {@linkplain #open opens} a reader right there.
 *
 * <p>Usage: {@code while (reader.next()) { if (reader.error() != null) ...; reader.field(i); }}. The
 * accessors describe the current record, the one the last {@link #next()} moved to.
 *
 * <p>A problem within one data record never throws: the record is returned with {@link #error()} set, and
 * the next call to {@link #next()} goes on with the following record. The format rules are in the
 * package documentation.
 *
 * <p>This class is <em>not</em> threadsafe: use one reader per thread (per chunk). {@link #close()} releases
 * the file handle.
 */
public final class CsvReader implements AutoCloseable {
  /*
   * Design: bytes are read from the channel into one large reusable buffer and scanned in tight loops over
   * the array. The bytes of each field are copied (in runs, never byte by byte) into a record buffer, with
   * escaped quotes collapsed, and fields are kept as start/end indexes into it; Strings are made only when
   * field(i) asks. So a record that crosses a buffer boundary needs no special case, and a field's memory
   * is capped by simply not copying past the cap while the scan goes on.
   *
   * Lines: nextLine is the line of the byte at pos. It grows by one for every LF, CRLF or lone CR, inside
   * quotes or not. Outside quotes consumeNewline() eats a whole terminator; inside quotes a CR counts and
   * an LF counts unless the byte before it was a CR (lastCrAt holds the file offset of the last CR seen in
   * quotes, so the test works across buffer boundaries).
   *
   * Only the state at a record's first byte (offset, line, row) carries from one record to the next: a
   * reader opened at a record's offset with its line and row reads exactly what a reader coming from the
   * start of the file reads. ChunkPlanner and resume rely on that.
   */

  /** Default size of the read buffer. */
  static final int DEFAULT_BUFFER_SIZE = 128 * 1024;

  private static final int COMMA = 0;
  private static final int NEWLINE = 1;
  private static final int EOF = 2;

  private final Path file;
  private final FileChannel channel;
  /** Gets every byte read, when planning; else null. */
  private final MessageDigest digest;
  private final byte[] buf;
  private final ByteBuffer bufView;
  /** File offset of buf[0]. */
  private long bufStart;
  private int pos;
  private int lim;
  private long bytesRead;

  /** Header names, for messages; null while reading the header itself. */
  private final List<String> columns;
  /** Fields a data record must have; -1 while reading the header. */
  private final int expectedFields;
  private final int maxFieldBytes;
  private final int maxFields;
  private final int maxRecordBytes;

  private long nextLine;
  private long lastCrAt = -2;
  private long row;

  // The current record.
  private long recOffset = -1;
  private long recEnd = -1;
  private long recLine;
  private byte[] rec;
  private int recLen;
  private int[] starts;
  private int[] ends;
  private String[] decoded;
  /** Fields seen in the record, possibly more than are kept. */
  private int seenFields;
  /** Fields kept: min(seenFields, maxFields). */
  private int keptFields;
  private String error;

  // Problems of the current record: the first field (0-based) that shows each, or -1.
  private long unterminatedLine;
  private int badQuoteField;
  private int tooLongField;
  private int nulField;
  private int utf8Field;
  private boolean recordTooLong;
  private boolean nonAscii;

  // The field being scanned.
  private int fieldCap;
  private boolean truncated;

  private CsvReader(Path file, FileChannel channel, MessageDigest digest, List<String> columns, CsvLimits limits,
      long startOffset, long firstLine, long firstRow, int bufferSize) throws IOException {
    this.file = file;
    this.channel = channel;
    this.digest = digest;
    this.columns = columns;
    this.expectedFields = columns == null ? -1 : columns.size();
    this.maxFieldBytes = limits.maxFieldBytes();
    this.maxFields = limits.maxFieldsPerRecord();
    this.maxRecordBytes = limits.maxRecordBytes();
    this.buf = new byte[bufferSize];
    this.bufView = ByteBuffer.wrap(buf);
    this.rec = new byte[Math.min(4096, maxRecordBytes)];
    int slots = Math.min(maxFields, Math.max(16, expectedFields + 1));
    this.starts = new int[slots];
    this.ends = new int[slots];
    this.decoded = new String[slots];
    this.nextLine = firstLine;
    this.row = firstRow - 1;
    this.bufStart = startOffset;
    if (startOffset != 0) {
      channel.position(startOffset);
    }
  }

  // ---------------------------------------------------------------- opening

  /**
   * Reads the header row: the first record of the file, after a UTF-8 byte order mark if there is one.
   *
   * @throws CsvFormatException if the file is empty, the first line is blank, or the header is broken:
   *     an unterminated quote, bytes that are not UTF-8, a NUL byte, an overlong name, too many columns,
   *     no names at all, or two columns whose names differ only in case or surrounding spaces
   * @throws IOException if the file cannot be read (for instance {@link java.nio.file.NoSuchFileException})
   */
  public static CsvHeader readHeader(Path file, CsvLimits limits) throws IOException {
    return readHeader(file, limits, DEFAULT_BUFFER_SIZE);
  }

  static CsvHeader readHeader(Path file, CsvLimits limits, int bufferSize) throws IOException {
    Objects.requireNonNull(file, "file cannot be null");
    Objects.requireNonNull(limits, "limits cannot be null");
    CsvReader reader;
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      reader = new CsvReader(file, channel, null, null, limits, startAfterBom(channel), 1, 1, bufferSize);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    try (CsvReader r = reader) {
      String utf16 = utf16Bom(channel);
      if (utf16 != null) {
        throw new CsvFormatException(file, 1, "the file is " + utf16 + " (it starts with a UTF-16 byte order mark);"
            + " ferry reads UTF-8: save it as UTF-8");
      }
      boolean hadBom = r.bufStart > 0;
      if (r.pos >= r.lim && !r.fill()) {
        throw new CsvFormatException(file, 1, "no header row (the file is empty)");
      }
      if (r.buf[r.pos] == '\n' || r.buf[r.pos] == '\r') {
        throw new CsvFormatException(file, 1, "no header row (the first line is blank)");
      }
      r.parseRecord();
      return new CsvHeader(r.headerColumns(), r.recEnd, r.nextLine, hadBom);
    }
  }

  /**
   * Opens a reader at the start of a data record, normally a chunk's start from {@link ChunkPlanner} or
   * {@link CsvHeader#dataOffset()}. The reader seeks there directly; nothing before is read.
   *
   * @param byteOffset offset of a record's first byte, at or after {@code header.dataOffset()}
   * @param firstLine  the 1-based line that record starts on
   * @param firstRow   the 1-based row number of that record
   * @throws IllegalArgumentException if the offset is before the data or a number is below 1
   */
  public static CsvReader open(Path file, CsvHeader header, long byteOffset, long firstLine, long firstRow,
      CsvLimits limits) throws IOException {
    return open(file, header, byteOffset, firstLine, firstRow, limits, DEFAULT_BUFFER_SIZE);
  }

  static CsvReader open(Path file, CsvHeader header, long byteOffset, long firstLine, long firstRow,
      CsvLimits limits, int bufferSize) throws IOException {
    Objects.requireNonNull(file, "file cannot be null");
    Objects.requireNonNull(header, "header cannot be null");
    Objects.requireNonNull(limits, "limits cannot be null");
    if (byteOffset < header.dataOffset()) {
      throw new IllegalArgumentException(
          "byteOffset " + byteOffset + " is before the data start " + header.dataOffset());
    }
    if (firstLine < 1 || firstRow < 1) {
      throw new IllegalArgumentException("firstLine and firstRow must be at least 1");
    }
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      return new CsvReader(file, channel, null, header.columns(), limits, byteOffset, firstLine, firstRow,
          bufferSize);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** A reader for the planning pass: reads the file from byte 0, feeding every byte to {@code digest}. */
  static CsvReader openForPlanning(Path file, CsvHeader header, CsvLimits limits, MessageDigest digest,
      int bufferSize) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      CsvReader r = new CsvReader(file, channel, digest, header.columns(), limits, 0, header.dataFirstLine(), 1,
          bufferSize);
      r.skipTo(header.dataOffset());
      return r;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static long startAfterBom(FileChannel channel) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(3);
    while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
      // positional reads leave the channel's position alone
    }
    boolean bom = head.position() == 3 && head.get(0) == (byte) 0xEF && head.get(1) == (byte) 0xBB
        && head.get(2) == (byte) 0xBF;
    return bom ? 3 : 0;
  }

  /** "UTF-16LE"/"UTF-16BE" when the file starts with that byte order mark, else null. */
  private static String utf16Bom(FileChannel channel) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(2);
    while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
      // positional reads leave the channel's position alone
    }
    if (head.position() < 2) {
      return null;
    }
    int b0 = head.get(0) & 0xff;
    int b1 = head.get(1) & 0xff;
    return b0 == 0xFF && b1 == 0xFE ? "UTF-16LE" : b0 == 0xFE && b1 == 0xFF ? "UTF-16BE" : null;
  }

  // ---------------------------------------------------------------- reading

  /**
   * Moves to the next data record, skipping blank lines.
   *
   * @return false at the end of the file
   * @throws IOException if reading fails
   */
  public boolean next() throws IOException {
    for (;;) {
      if (pos >= lim && !fill()) {
        return false;
      }
      byte c = buf[pos];
      if (c == '\n' || c == '\r') {
        consumeNewline(); // a blank line is not a row
        continue;
      }
      parseRecord();
      row++;
      error = describeProblem();
      return true;
    }
  }

  /** The 1-based data row number of the current record (the header is not a row). */
  public long row() {
    return row;
  }

  /** The 1-based physical line on which the current record starts. */
  public long line() {
    return recLine;
  }

  /** The byte offset of the current record's first byte. */
  public long offset() {
    return recOffset;
  }

  /** The byte offset just past the current record, its line terminator included. */
  public long endOffset() {
    return recEnd;
  }

  /** Fields in the current record, but at most {@link CsvLimits#maxFieldsPerRecord()}. */
  public int fieldCount() {
    return keptFields;
  }

  /**
   * Field {@code i} of the current record, decoded from UTF-8, or {@code ""} when the record has no such
   * field. Bytes that are not UTF-8 come out as U+FFFD; an overlong field holds only its first
   * {@code maxFieldBytes} bytes. In both cases {@link #error()} says so.
   *
   * @throws IndexOutOfBoundsException if {@code i} is negative
   */
  public String field(int i) {
    if (i < 0) {
      throw new IndexOutOfBoundsException("field index " + i);
    }
    if (i >= keptFields) {
      return "";
    }
    String s = decoded[i];
    if (s == null) {
      s = new String(rec, starts[i], ends[i] - starts[i], StandardCharsets.UTF_8);
      decoded[i] = s;
    }
    return s;
  }

  /**
   * Why the current record is invalid, or null when it is well-formed. When a record has several problems
   * one is named, in this order: an unterminated quote, a character after a closing quote, an overlong
   * field or record, a NUL byte, a wrong number of fields, bytes that are not UTF-8.
   */
  public String error() {
    return error;
  }

  /** Releases the file handle. */
  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** Size of the record buffer, which never grows past {@link CsvLimits#maxRecordBytes()}. */
  int recordCapacity() {
    return rec.length;
  }

  /** Bytes read from the channel so far. */
  long bytesRead() {
    return bytesRead;
  }

  // ---------------------------------------------------------------- scanning

  private boolean fill() throws IOException {
    bufStart += lim;
    pos = 0;
    lim = 0;
    bufView.clear();
    int n;
    do {
      n = channel.read(bufView);
    } while (n == 0);
    if (n < 0) {
      return false;
    }
    lim = n;
    bytesRead += n;
    if (digest != null) {
      digest.update(buf, 0, n);
    }
    return true;
  }

  private void skipTo(long offset) throws IOException {
    while (bufStart + lim <= offset) {
      pos = lim;
      if (!fill()) {
        return;
      }
    }
    pos = (int) (offset - bufStart);
  }

  /** Consumes the LF, CR or CRLF at pos. */
  private void consumeNewline() throws IOException {
    byte c = buf[pos++];
    nextLine++;
    if (c == '\r' && (pos < lim || fill()) && buf[pos] == '\n') {
      pos++;
    }
  }

  /** Scans one record starting at pos (which holds a byte). */
  private void parseRecord() throws IOException {
    recOffset = bufStart + pos;
    recLine = nextLine;
    Arrays.fill(decoded, 0, keptFields, null);
    recLen = 0;
    seenFields = 0;
    keptFields = 0;
    unterminatedLine = 0;
    badQuoteField = -1;
    tooLongField = -1;
    nulField = -1;
    utf8Field = -1;
    recordTooLong = false;
    nonAscii = false;
    while (parseField() == COMMA) {
      // next field
    }
    recEnd = bufStart + pos;
    if (nonAscii) {
      for (int i = 0; i < keptFields; i++) {
        if (!Utf8.isValid(rec, starts[i], ends[i])) {
          utf8Field = i;
          break;
        }
      }
    }
  }

  private int parseField() throws IOException {
    int idx = seenFields++;
    int start = recLen;
    boolean kept = idx < maxFields;
    fieldCap = kept ? (int) Math.min((long) start + maxFieldBytes, maxRecordBytes) : start;
    truncated = false;
    int term;
    if (pos >= lim && !fill()) {
      term = EOF; // "a,<EOF>": an empty last field
    } else if (buf[pos] == '"') {
      pos++;
      term = parseQuoted(idx);
    } else {
      term = parseUnquoted(idx);
    }
    if (kept) {
      if (idx == starts.length) {
        int n = (int) Math.min(maxFields, 2L * starts.length);
        starts = Arrays.copyOf(starts, n);
        ends = Arrays.copyOf(ends, n);
        decoded = Arrays.copyOf(decoded, n);
      }
      starts[idx] = start;
      ends[idx] = recLen;
      keptFields = idx + 1;
      if (truncated) {
        if (recLen - start >= maxFieldBytes) {
          if (tooLongField < 0) {
            tooLongField = idx;
          }
        } else {
          recordTooLong = true;
        }
      }
    }
    return term;
  }

  private int parseUnquoted(int idx) throws IOException {
    final byte[] b = buf;
    for (;;) {
      final int l = lim;
      final int from = pos;
      int p = from;
      while (p < l) {
        byte c = b[p];
        if (c > ',') { // the common case: letters, digits, '.', '@', '-'
          p++;
          continue;
        }
        if (c == ',') {
          append(b, from, p - from);
          pos = p + 1;
          return COMMA;
        }
        if (c == '\n' || c == '\r') {
          append(b, from, p - from);
          pos = p;
          consumeNewline();
          return NEWLINE;
        }
        if (c == 0) {
          if (nulField < 0) {
            nulField = idx;
          }
        } else if (c < 0) {
          nonAscii = true;
        }
        p++;
      }
      append(b, from, p - from);
      pos = p;
      if (!fill()) {
        return EOF;
      }
    }
  }

  /** Scans a quoted field; pos is just past the opening quote. */
  private int parseQuoted(int idx) throws IOException {
    final byte[] b = buf;
    final long quoteLine = nextLine;
    outer:
    for (;;) {
      final int l = lim;
      final int from = pos;
      int p = from;
      while (p < l) {
        byte c = b[p];
        if (c > '"') {
          p++;
          continue;
        }
        if (c == '"') {
          append(b, from, p - from);
          pos = p + 1;
          if (pos >= lim && !fill()) {
            return EOF;
          }
          byte d = b[pos];
          if (d == '"') { // an escaped quote
            append(b, pos, 1);
            pos++;
            continue outer;
          }
          if (d == ',') {
            pos++;
            return COMMA;
          }
          if (d == '\n' || d == '\r') {
            consumeNewline();
            return NEWLINE;
          }
          if (badQuoteField < 0) {
            badQuoteField = idx;
          }
          return parseUnquoted(idx); // the rest of the field is taken as it is
        }
        if (c == '\r') {
          nextLine++;
          lastCrAt = bufStart + p;
        } else if (c == '\n') {
          if (bufStart + p - 1 != lastCrAt) {
            nextLine++;
          }
        } else if (c == 0) {
          if (nulField < 0) {
            nulField = idx;
          }
        } else if (c < 0) {
          nonAscii = true;
        }
        p++;
      }
      append(b, from, p - from);
      pos = p;
      if (!fill()) {
        if (unterminatedLine == 0) {
          unterminatedLine = quoteLine;
        }
        return EOF;
      }
    }
  }

  /** Appends bytes to the current field, keeping no more than the field's cap. */
  private void append(byte[] src, int from, int len) {
    if (len <= 0) {
      return;
    }
    int room = fieldCap - recLen;
    if (len > room) {
      truncated = true;
      if (room <= 0) {
        return;
      }
      len = room;
    }
    int need = recLen + len;
    if (need > rec.length) {
      rec = Arrays.copyOf(rec, (int) Math.min(maxRecordBytes, Math.max(need, 2L * rec.length)));
    }
    System.arraycopy(src, from, rec, recLen, len);
    recLen = need;
  }

  // ---------------------------------------------------------------- problems

  private String describeProblem() {
    if (unterminatedLine > 0) {
      return "unterminated quoted field starting on line " + unterminatedLine;
    }
    if (badQuoteField >= 0) {
      return "unexpected character after closing quote in field " + label(badQuoteField);
    }
    if (tooLongField >= 0) {
      return "field " + label(tooLongField) + " is longer than " + maxFieldBytes + " bytes";
    }
    if (recordTooLong) {
      return "record is longer than " + maxRecordBytes + " bytes";
    }
    if (nulField >= 0) {
      return "field " + label(nulField) + " contains a NUL byte";
    }
    if (seenFields > maxFields) {
      return "expected " + expectedFields + " fields, found " + seenFields + " (more than the limit of "
          + maxFields + ")";
    }
    if (seenFields != expectedFields) {
      return "expected " + expectedFields + " fields, found " + seenFields;
    }
    if (utf8Field >= 0) {
      return "field " + label(utf8Field) + " (column " + (utf8Field + 1) + ") is not valid UTF-8";
    }
    return null;
  }

  /** {@code 'email'} for a header column with a name, {@code #7} otherwise. */
  private String label(int i) {
    if (i < expectedFields && !columns.get(i).isEmpty()) {
      return "'" + columns.get(i) + "'";
    }
    return "#" + (i + 1);
  }

  /** Checks the record just parsed as a header and returns its trimmed names. */
  private List<String> headerColumns() {
    if (unterminatedLine > 0) {
      throw fatal(unterminatedLine, "header has an unterminated quoted field starting on line " + unterminatedLine);
    }
    if (badQuoteField >= 0) {
      throw fatal(recLine, "unexpected character after closing quote in header column " + (badQuoteField + 1));
    }
    if (tooLongField >= 0) {
      throw fatal(recLine, "header column " + (tooLongField + 1) + " is longer than " + maxFieldBytes + " bytes");
    }
    if (recordTooLong) {
      throw fatal(recLine, "header is longer than " + maxRecordBytes + " bytes");
    }
    if (nulField >= 0) {
      throw fatal(recLine, "header column " + (nulField + 1) + " contains a NUL byte"
          + (nulField == 0 ? " (UTF-16 text? ferry reads UTF-8)" : ""));
    }
    if (seenFields > maxFields) {
      throw fatal(recLine, "header has " + seenFields + " columns, more than the limit of " + maxFields);
    }
    if (utf8Field >= 0) {
      throw fatal(recLine, "header column " + (utf8Field + 1) + " is not valid UTF-8");
    }
    List<String> names = new ArrayList<>(keptFields);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < keptFields; i++) {
      String name = field(i).strip();
      names.add(name);
      if (name.isEmpty()) {
        continue; // "a,b," exports have a nameless last column; it cannot be looked up, which is fine
      }
      Integer before = seen.putIfAbsent(CsvHeader.normalize(name), i);
      if (before != null) {
        throw fatal(recLine, "duplicate column names '" + names.get(before) + "' (column " + (before + 1)
            + ") and '" + name + "' (column " + (i + 1) + ")");
      }
    }
    if (seen.isEmpty()) {
      throw fatal(recLine, "no header row (the first line has no column names)");
    }
    return names;
  }

  private CsvFormatException fatal(long line, String problem) {
    return new CsvFormatException(file, line, problem);
  }
}
