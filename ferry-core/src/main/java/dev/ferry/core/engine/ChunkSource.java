package dev.ferry.core.engine;

import dev.ferry.core.spi.ChunkSpec;
import java.io.IOException;

/** Opens the rows of one chunk of a job's input (seeking straight to it). Threadsafe. */
@FunctionalInterface
public interface ChunkSource {
  RowCursor open(ChunkSpec chunk) throws IOException;

  /** Reads a chunk's rows in order. Not threadsafe: one per chunk. */
  interface RowCursor extends AutoCloseable {
    /** The next row, or null after the chunk's last row. */
    RowInput next() throws IOException;

    @Override
    void close() throws IOException;
  }
}
