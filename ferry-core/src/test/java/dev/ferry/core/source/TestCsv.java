package dev.ferry.core.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.spi.ChunkSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Helpers for the CSV source tests: writing files and taking snapshots of records. */
final class TestCsv {
  private TestCsv() {}

  /** Everything a reader says about one record, comparable with equals. */
  record Rec(long row, long line, long offset, long endOffset, List<String> fields, String error) {
    static Rec of(CsvReader r) {
      List<String> fields = new ArrayList<>(r.fieldCount());
      for (int i = 0; i < r.fieldCount(); i++) {
        fields.add(r.field(i));
      }
      return new Rec(r.row(), r.line(), r.offset(), r.endOffset(), fields, r.error());
    }
  }

  static Path write(Path dir, String name, String content) throws IOException {
    return write(dir, name, content.getBytes(StandardCharsets.UTF_8));
  }

  static Path write(Path dir, String name, byte[] content) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, content);
    return file;
  }

  /** Concatenates strings (as UTF-8) and raw bytes (byte[] or int values 0..255). */
  static byte[] bytes(Object... parts) {
    var out = new java.io.ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      } else if (part instanceof byte[] b) {
        out.writeBytes(b);
      } else if (part instanceof Integer i) {
        out.write(i);
      } else {
        throw new IllegalArgumentException(String.valueOf(part));
      }
    }
    return out.toByteArray();
  }

  /** All data records of a file, read from the data start. */
  static List<Rec> readAll(Path file, CsvLimits limits, int bufferSize) throws IOException {
    CsvHeader header = CsvReader.readHeader(file, limits, bufferSize);
    List<Rec> recs = new ArrayList<>();
    try (CsvReader r = CsvReader.open(file, header, header.dataOffset(), header.dataFirstLine(), 1, limits,
        bufferSize)) {
      while (r.next()) {
        recs.add(Rec.of(r));
      }
    }
    return recs;
  }

  static List<Rec> readAll(Path file) throws IOException {
    return readAll(file, CsvLimits.defaults(), CsvReader.DEFAULT_BUFFER_SIZE);
  }

  /** The records of one chunk, read by re-opening the file at the chunk's start. */
  static List<Rec> readChunk(Path file, CsvHeader header, ChunkSpec spec, CsvLimits limits, int bufferSize)
      throws IOException {
    List<Rec> recs = new ArrayList<>();
    try (CsvReader r = CsvReader.open(file, header, spec.byteOffset(), spec.firstLine(), spec.firstRow(), limits,
        bufferSize)) {
      for (int i = 0; i < spec.rowCount(); i++) {
        assertThat(r.next()).as("record %d of chunk %d", i, spec.index()).isTrue();
        recs.add(Rec.of(r));
      }
    }
    return recs;
  }
}
