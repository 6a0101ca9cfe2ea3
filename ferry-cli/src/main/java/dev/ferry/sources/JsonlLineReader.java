package dev.ferry.sources;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Reads a JSONL file line by line as bytes, knowing each line's byte offset and number. A line ends at LF (a CR
 * before it is dropped); the last line may lack one. A line longer than the limit is read to its end but only its
 * first bytes are kept ({@link #overlong()}). Not threadsafe: one per pass or chunk.
 */
final class JsonlLineReader implements AutoCloseable {
  private final InputStream in;
  private final MessageDigest digest;
  private final int maxLineBytes;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;
  private int lim;
  private long bufStart;
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean overlong;
  private long lineOffset;
  private long lineNumber;

  /**
   * @param startOffset the file offset {@code in} is positioned at (a line's first byte)
   * @param startLine   the number of the line starting there
   * @param digest      gets every byte read, or null
   */
  JsonlLineReader(InputStream in, long startOffset, long startLine, MessageDigest digest, int maxLineBytes) {
    this.in = in;
    this.bufStart = startOffset;
    this.lineNumber = startLine - 1;
    this.digest = digest;
    this.maxLineBytes = maxLineBytes;
  }

  /** Moves to the next line; false at the end of the file. */
  boolean next() throws IOException {
    lineLength = 0;
    overlong = false;
    if (pos >= lim && !fill()) return false;
    lineOffset = bufStart + pos;
    lineNumber++;
    while (true) {
      if (pos >= lim && !fill()) break;
      int start = pos;
      while (pos < lim && buf[pos] != '\n') pos++;
      append(start, pos);
      if (pos < lim) {
        pos++; // the LF
        break;
      }
    }
    if (lineLength > 0 && line[lineLength - 1] == '\r' && !overlong) lineLength--;
    return true;
  }

  private void append(int from, int to) {
    int n = Math.min(to - from, maxLineBytes - lineLength);
    if (n < to - from) overlong = true;
    if (n <= 0) return;
    if (lineLength + n > line.length) {
      line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
    }
    System.arraycopy(buf, from, line, lineLength, n);
    lineLength += n;
  }

  private boolean fill() throws IOException {
    bufStart += lim;
    pos = 0;
    lim = 0;
    int n = in.read(buf);
    if (n <= 0) return false;
    if (digest != null) digest.update(buf, 0, n);
    lim = n;
    return true;
  }

  byte[] bytes() {
    return line;
  }

  int length() {
    return lineLength;
  }

  boolean blank() {
    for (int i = 0; i < lineLength; i++) {
      byte b = line[i];
      if (b != ' ' && b != '\t' && b != '\r') return false;
    }
    return true;
  }

  boolean overlong() {
    return overlong;
  }

  long offset() {
    return lineOffset;
  }

  long lineNumber() {
    return lineNumber;
  }

  /** Bytes read so far (the file's size after the last line of a whole pass). */
  long bytesRead() {
    return bufStart + lim;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
