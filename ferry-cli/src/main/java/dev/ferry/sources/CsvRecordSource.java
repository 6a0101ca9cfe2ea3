package dev.ferry.sources;

import dev.ferry.core.engine.ChunkSource;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.source.ChunkPlan;
import dev.ferry.core.source.ChunkPlanner;
import dev.ferry.core.source.CsvChunkSource;
import dev.ferry.core.source.CsvHeader;
import dev.ferry.core.source.CsvLimits;
import dev.ferry.core.source.CsvReader;
import dev.ferry.core.source.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A CSV file with a header row as a job's input: each row's record maps the header's column names to the row's
 * values (strings). Chunks are byte offsets ({@link ChunkPlanner}); "unchanged" means the same size and SHA-256.
 * Threadsafe (immutable; each chunk is read with its own reader).
 */
public final class CsvRecordSource extends FileRecordSource {
  private static final String[] NO_FIELDS = {};
  private final CsvLimits limits;
  private volatile CsvHeader header;
  private volatile CsvRecord.Columns columns;

  public CsvRecordSource(Path file) {
    this(file, CsvLimits.defaults());
  }

  public CsvRecordSource(Path file, CsvLimits limits) {
    super(file);
    this.limits = limits;
  }

  /** The header's column names (reads the header on first use). */
  public List<String> columns() throws IOException {
    return header().columns();
  }

  /**
   * {@inheritDoc}
   *
   * <p>A row shown to the visitor holds its fields only as its record, a {@link CsvRecord} reading each field from the
   * file's reader when asked ({@link RowInput#fields()} is empty): valid during the visitor's call only, it throws
   * {@link IllegalStateException} when read later ({@link CsvRecord#copy} keeps one).
   */
  @Override
  public ChunkPlan plan(int chunkSize, Consumer<RowInput> visitor) throws IOException {
    CsvHeader h = header();
    CsvRecord.Visit visit = new CsvRecord.Visit(columns);
    return ChunkPlanner.plan(file, h, chunkSize, limits, r -> {
      try {
        visitor.accept(new RowInput(r.row(), (int) ((r.row() - 1) / chunkSize), r.line(), NO_FIELDS, r.error(),
            visit.record(r)));
      } finally {
        visit.end();
      }
    });
  }

  @Override
  public ChunkSource chunks() {
    return chunk -> {
      CsvHeader h = header();
      CsvRecord.Columns names = columns;
      ChunkSource.RowCursor csv = new CsvChunkSource(file, h, limits).open(chunk);
      return new ChunkSource.RowCursor() {
        @Override
        public RowInput next() throws IOException {
          RowInput row = csv.next();
          return row == null ? null : withRecord(names, row);
        }

        @Override
        public void close() throws IOException {
          csv.close();
        }
      };
    };
  }

  /**
   * The row with its record: header name → value (a short row's missing values are absent), a {@link CsvRecord} over
   * the row's fields (the names shared by every row of the file).
   */
  static RowInput withRecord(CsvRecord.Columns columns, RowInput row) {
    return new RowInput(row.row(), row.chunk(), row.line(), row.fields(), row.error(),
        new CsvRecord(columns, row.fields()));
  }

  private CsvHeader header() throws IOException {
    CsvHeader h = header;
    if (h != null) return h;
    if (Files.isDirectory(file)) throw new InputException(file + ": is a directory, not a CSV file");
    try {
      h = CsvReader.readHeader(file, limits);
    } catch (NoSuchFileException e) {
      throw new InputException(file + ": no such file");
    }
    columns = CsvRecord.Columns.of(h.columns());
    header = h;
    return h;
  }
}
