package dev.ferry.core.source;

import dev.ferry.core.spi.ChunkSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Cuts an input file into chunks of a fixed number of records, in one pass that also hashes the file and
 * shows every record to a visitor (which can, say, count invalid rows or collect organization ids).
 *
 * <p>A chunk starts at a record's first byte, so {@code CsvReader.open(file, header, c.byteOffset(),
 * c.firstLine(), c.firstRow(), limits)} followed by {@code c.rowCount()} calls to {@code next()} reads
 * exactly the records (rows, lines, fields and errors) the planning pass saw. Records with errors are
 * rows like any other: they are counted and chunked, and the visitor decides what to do with them.
 *
 * <p>This class is threadsafe (it has no state); each call reads its file with its own reader.
 */
public final class ChunkPlanner {

  /** Sees each data record of the planning pass once, in file order. */
  @FunctionalInterface
  public interface RecordVisitor {
    /**
     * Called with the reader positioned on a record. Read it with the accessors; do not call
     * {@code next()} or {@code close()}.
     */
    void visit(CsvReader record) throws IOException;
  }

  private ChunkPlanner() {}

  /**
   * Reads {@code file} once: every byte goes into the SHA-256 and the size, every data record to the
   * visitor, and every {@code chunkSize} records make a chunk (the last one may be shorter). A file with no
   * data rows has no chunks.
   *
   * @param header the file's header, from {@link CsvReader#readHeader}
   * @throws IllegalArgumentException if {@code chunkSize} is below 1
   * @throws IOException if reading fails, or as thrown by the visitor
   */
  public static ChunkPlan plan(Path file, CsvHeader header, int chunkSize, CsvLimits limits,
      RecordVisitor visitor) throws IOException {
    return plan(file, header, chunkSize, limits, visitor, CsvReader.DEFAULT_BUFFER_SIZE);
  }

  static ChunkPlan plan(Path file, CsvHeader header, int chunkSize, CsvLimits limits, RecordVisitor visitor,
      int bufferSize) throws IOException {
    Objects.requireNonNull(file, "file cannot be null");
    Objects.requireNonNull(header, "header cannot be null");
    Objects.requireNonNull(limits, "limits cannot be null");
    Objects.requireNonNull(visitor, "visitor cannot be null");
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
    }
    MessageDigest sha256 = sha256();
    List<ChunkSpec> chunks = new ArrayList<>();
    long rows = 0;
    long chunkOffset = 0;
    long chunkLine = 0;
    long chunkRow = 0;
    int inChunk = 0;
    try (CsvReader reader = CsvReader.openForPlanning(file, header, limits, sha256, bufferSize)) {
      while (reader.next()) {
        if (inChunk == 0) {
          chunkOffset = reader.offset();
          chunkLine = reader.line();
          chunkRow = reader.row();
        }
        visitor.visit(reader);
        rows++;
        if (++inChunk == chunkSize) {
          chunks.add(new ChunkSpec(chunks.size(), chunkOffset, chunkLine, chunkRow, inChunk));
          inChunk = 0;
        }
      }
      if (inChunk > 0) {
        chunks.add(new ChunkSpec(chunks.size(), chunkOffset, chunkLine, chunkRow, inChunk));
      }
      return new ChunkPlan(chunks, rows, reader.bytesRead(), HexFormat.of().formatHex(sha256.digest()));
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e); // every Java SE platform must have it
    }
  }
}
