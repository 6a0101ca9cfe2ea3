package dev.ferry.core.source;

import dev.ferry.core.engine.ChunkSource;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.spi.ChunkSpec;
import java.io.IOException;
import java.nio.file.Path;

/** Reads chunks of a CSV file by seeking to their byte offsets. Threadsafe: each open() has its own reader. */
public final class CsvChunkSource implements ChunkSource {
  private final Path file;
  private final CsvHeader header;
  private final CsvLimits limits;

  public CsvChunkSource(Path file, CsvHeader header, CsvLimits limits) {
    this.file = file;
    this.header = header;
    this.limits = limits;
  }

  @Override
  public RowCursor open(ChunkSpec chunk) throws IOException {
    CsvReader reader = CsvReader.open(file, header, chunk.byteOffset(), chunk.firstLine(), chunk.firstRow(), limits);
    return new RowCursor() {
      private int read;

      @Override
      public RowInput next() throws IOException {
        if (read >= chunk.rowCount() || !reader.next()) return null;
        read++;
        String[] fields = new String[reader.fieldCount()];
        for (int i = 0; i < fields.length; i++) fields[i] = reader.field(i);
        return new RowInput(reader.row(), chunk.index(), reader.line(), fields, reader.error());
      }

      @Override
      public void close() throws IOException {
        reader.close();
      }
    };
  }
}
