package dev.ferry.core.source;

import dev.ferry.core.spi.ChunkSpec;
import java.util.List;
import java.util.Objects;

/**
 * The result of planning one input file. Immutable.
 *
 * @param chunks    the chunks in file order (none when the file has no data rows)
 * @param totalRows number of data records, invalid ones included
 * @param fileSize  bytes in the file
 * @param sha256Hex SHA-256 of the whole file, lower-case hex; a resume checks the input is unchanged
 */
public record ChunkPlan(List<ChunkSpec> chunks, long totalRows, long fileSize, String sha256Hex) {
  public ChunkPlan {
    chunks = List.copyOf(Objects.requireNonNull(chunks, "chunks cannot be null"));
    Objects.requireNonNull(sha256Hex, "sha256Hex cannot be null");
  }
}
