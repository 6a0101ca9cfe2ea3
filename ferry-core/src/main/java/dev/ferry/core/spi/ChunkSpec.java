package dev.ferry.core.spi;

import java.util.Objects;

/**
 * Where one chunk of a job's input starts and how many records it holds. Immutable.
 *
 * <p>The engine never interprets where a chunk starts: a file source seeks to {@code byteOffset}, a SQL source
 * reads the rows whose keys {@code position} lists. Only the source that planned the chunks reads them.
 *
 * @param index      0-based chunk number within the job
 * @param byteOffset offset of the chunk's first record in the input file (after any BOM/header); 0 for sources
 *                   that are not files
 * @param firstLine  1-based physical line number on which the chunk's first record starts (for sources that
 *                   are not files, the same as {@code firstRow})
 * @param firstRow   1-based number of the chunk's first data record (the header is not a row)
 * @param rowCount   number of records in the chunk
 * @param position   the source's own opaque resume position of the chunk (for a SQL source, the chunk's planned
 *                   keys); empty for files, whose position is {@code byteOffset}. Never null, never a secret;
 *                   stored as text of any length (schema v4 {@code chunks.source_position}).
 */
public record ChunkSpec(int index, long byteOffset, long firstLine, long firstRow, int rowCount, String position) {
  public ChunkSpec {
    if (index < 0 || byteOffset < 0 || firstLine < 1 || firstRow < 1 || rowCount < 0) {
      throw new IllegalArgumentException("invalid chunk spec " + index + "@" + byteOffset);
    }
    Objects.requireNonNull(position, "position cannot be null");
  }

  /** A chunk of a file: its position is its byte offset. */
  public ChunkSpec(int index, long byteOffset, long firstLine, long firstRow, int rowCount) {
    this(index, byteOffset, firstLine, firstRow, rowCount, "");
  }

  /** Row number one past the chunk's last row. */
  public long endRow() {
    return firstRow + rowCount;
  }
}
