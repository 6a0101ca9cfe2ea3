package dev.ferry.core.spi;

/**
 * Where one chunk of an input file starts and how many records it holds. Immutable.
 *
 * @param index      0-based chunk number within the job
 * @param byteOffset offset of the chunk's first record in the input file (after any BOM/header)
 * @param firstLine  1-based physical line number on which the chunk's first record starts
 * @param firstRow   1-based number of the chunk's first data record (the header is not a row)
 * @param rowCount   number of records in the chunk
 */
public record ChunkSpec(int index, long byteOffset, long firstLine, long firstRow, int rowCount) {
  public ChunkSpec {
    if (index < 0 || byteOffset < 0 || firstLine < 1 || firstRow < 1 || rowCount < 0) {
      throw new IllegalArgumentException("invalid chunk spec " + index + "@" + byteOffset);
    }
  }

  /** Row number one past the chunk's last row. */
  public long endRow() {
    return firstRow + rowCount;
  }
}
