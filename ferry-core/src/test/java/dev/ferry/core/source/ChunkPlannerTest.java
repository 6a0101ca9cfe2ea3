package dev.ferry.core.source;

import static dev.ferry.core.source.TestCsv.bytes;
import static dev.ferry.core.source.TestCsv.readChunk;
import static dev.ferry.core.source.TestCsv.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.source.TestCsv.Rec;
import dev.ferry.core.spi.ChunkSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkPlannerTest {
  private static final int[] BUFFER_SIZES = {1, 2, 3, 5, 16, 100, 4096, CsvReader.DEFAULT_BUFFER_SIZE};
  private static final int[] CHUNK_SIZES = {1, 2, 3, 7, 50, 1000};

  @TempDir
  Path dir;

  /** A plan plus every record the planning pass showed the visitor. */
  record Planned(ChunkPlan plan, List<Rec> visited) {}

  private static Planned plan(Path file, CsvHeader header, int chunkSize, CsvLimits limits, int bufferSize)
      throws IOException {
    List<Rec> visited = new ArrayList<>();
    ChunkPlan plan = ChunkPlanner.plan(file, header, chunkSize, limits, r -> visited.add(Rec.of(r)), bufferSize);
    return new Planned(plan, visited);
  }

  /** Checks that the chunks tile the visited records and that re-opening each chunk reads the same. */
  private static void assertChunksReadBack(Path file, CsvHeader header, Planned planned, int chunkSize,
      CsvLimits limits, int bufferSize) throws IOException {
    List<ChunkSpec> chunks = planned.plan().chunks();
    assertThat(planned.plan().totalRows()).isEqualTo(planned.visited().size());
    assertThat(chunks).hasSize((planned.visited().size() + chunkSize - 1) / chunkSize);
    List<Rec> reread = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      ChunkSpec spec = chunks.get(i);
      assertThat(spec.index()).isEqualTo(i);
      assertThat(spec.rowCount()).isEqualTo(i < chunks.size() - 1 ? chunkSize
          : planned.visited().size() - (long) chunkSize * i);
      assertThat(spec.firstRow()).isEqualTo((long) chunkSize * i + 1);
      Rec first = planned.visited().get((int) spec.firstRow() - 1);
      assertThat(spec.byteOffset()).isEqualTo(first.offset());
      assertThat(spec.firstLine()).isEqualTo(first.line());
      reread.addAll(readChunk(file, header, spec, limits, bufferSize));
    }
    assertThat(reread).isEqualTo(planned.visited());
  }

  private static String sha256(byte[] content) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  @Test
  void cutsChunksOfTheGivenSize() throws IOException {
    // Given: 10 rows, one blank line
    StringBuilder csv = new StringBuilder("id,name\n");
    for (int i = 1; i <= 10; i++) {
      csv.append(i).append(",n").append(i).append('\n');
      if (i == 6) {
        csv.append('\n');
      }
    }
    Path file = write(dir, "ten.csv", csv.toString());
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    // When
    Planned planned = plan(file, header, 3, CsvLimits.defaults(), CsvReader.DEFAULT_BUFFER_SIZE);

    // Then
    assertThat(planned.plan().chunks()).containsExactly(
        new ChunkSpec(0, 8, 2, 1, 3),
        new ChunkSpec(1, 23, 5, 4, 3),
        new ChunkSpec(2, 39, 9, 7, 3),
        new ChunkSpec(3, 54, 12, 10, 1));
    assertThat(planned.plan().totalRows()).isEqualTo(10);
    assertThat(planned.visited()).extracting(Rec::row).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertChunksReadBack(file, header, planned, 3, CsvLimits.defaults(), CsvReader.DEFAULT_BUFFER_SIZE);
  }

  @Test
  void hashesAndMeasuresTheWholeFile() throws Exception {
    // Given: a BOM, a header and rows: every byte counts
    byte[] content = bytes(0xEF, 0xBB, 0xBF, "email,name\r\na@x.io,\"A, B\"\r\nb@x.io,C\r\n\r\n");
    Path file = write(dir, "hash.csv", content);
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    for (int bufferSize : BUFFER_SIZES) {
      // When
      ChunkPlan plan = plan(file, header, 1, CsvLimits.defaults(), bufferSize).plan();

      // Then
      assertThat(plan.sha256Hex()).isEqualTo(sha256(content));
      assertThat(plan.fileSize()).isEqualTo(content.length);
      assertThat(plan.totalRows()).isEqualTo(2);
    }
  }

  @Test
  void aHeaderOnlyFileHasNoChunks() throws Exception {
    Path file = write(dir, "header.csv", "email,name\n\n");
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    ChunkPlan plan = ChunkPlanner.plan(file, header, 100, CsvLimits.defaults(), r -> {
      throw new AssertionError("no records expected");
    });

    assertThat(plan).isEqualTo(new ChunkPlan(List.of(), 0, 12, sha256(Files.readAllBytes(file))));
  }

  @Test
  void theVisitorSeesInvalidRecordsToo() throws IOException {
    Path file = write(dir, "bad.csv", bytes("a,b\n1,2\n1,2,3\n", 0xE9, ",x\n4,5\n"));
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    Planned planned = plan(file, header, 2, CsvLimits.defaults(), CsvReader.DEFAULT_BUFFER_SIZE);

    assertThat(planned.visited()).extracting(Rec::error).containsExactly(
        null, "expected 2 fields, found 3", "field 'a' (column 1) is not valid UTF-8", null);
    assertThat(planned.plan().chunks()).extracting(ChunkSpec::rowCount).containsExactly(2, 2);
  }

  @Test
  void aChunkCanStartRightAfterAMultiLineField() throws IOException {
    // Given: row 2 spans three lines and ends chunk 0
    Path file = write(dir, "ml.csv", "id,note\n1,a\n2,\"x\r\ny\nz\"\n3,b\n4,\"p\rq\"\n5,c\n");
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    for (int bufferSize : BUFFER_SIZES) {
      // When
      Planned planned = plan(file, header, 2, CsvLimits.defaults(), bufferSize);

      // Then
      assertThat(planned.plan().chunks()).containsExactly(
          new ChunkSpec(0, 8, 2, 1, 2),
          new ChunkSpec(1, 23, 6, 3, 2),
          new ChunkSpec(2, 35, 9, 5, 1));
      assertChunksReadBack(file, header, planned, 2, CsvLimits.defaults(), bufferSize);
    }
  }

  @Test
  void aCrOnlyFileReadsBackChunkByChunk() throws IOException {
    Path file = write(dir, "cr.csv", "id,note\r1,a\r2,\"x\ry\"\r\r3,b\r4,\"\"\"q\r\"\r5,c");
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    for (int chunkSize : CHUNK_SIZES) {
      for (int bufferSize : BUFFER_SIZES) {
        Planned planned = plan(file, header, chunkSize, CsvLimits.defaults(), bufferSize);

        assertThat(planned.visited()).extracting(Rec::line).containsExactly(2L, 3L, 6L, 7L, 9L);
        assertThat(planned.visited()).extracting(Rec::error).containsOnlyNulls();
        assertChunksReadBack(file, header, planned, chunkSize, CsvLimits.defaults(), bufferSize);
      }
    }
  }

  @Test
  void rejectsABadChunkSize() throws IOException {
    Path file = write(dir, "a.csv", "a\n1\n");
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    assertThatThrownBy(() -> ChunkPlanner.plan(file, header, 0, CsvLimits.defaults(), r -> { }))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ property checks

  /** A generated well-formed file and what a reader must find in it. */
  record Generated(byte[] content, List<Rec> expected) {}

  private static final String[] PIECES = {"a", "Z", "7", " ", ",", "\"", "\n", "\r", "\r\n", "é", "日", "😀", "@", "."};
  private static final String[] TERMINATORS = {"\n", "\r\n", "\r"};

  private static String randomField(Random random) {
    StringBuilder s = new StringBuilder();
    int length = random.nextInt(4) == 0 ? 0 : random.nextInt(9);
    for (int i = 0; i < length; i++) {
      // mostly plain characters, now and then one that needs quoting
      s.append(random.nextInt(3) == 0 ? PIECES[random.nextInt(PIECES.length)] : PIECES[random.nextInt(4)]);
    }
    return s.toString();
  }

  private static String quote(String field, Random random) {
    boolean special = field.indexOf(',') >= 0 || field.indexOf('"') >= 0 || field.indexOf('\n') >= 0
        || field.indexOf('\r') >= 0;
    if (special || random.nextInt(4) == 0) {
      return '"' + field.replace("\"", "\"\"") + '"';
    }
    return field;
  }

  /** Writes rows of random, validly quoted fields with random terminators and blank lines. */
  private static Generated generate(Random random, int rows) {
    int columns = 2 + random.nextInt(4);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (random.nextBoolean()) {
      out.writeBytes(bytes(0xEF, 0xBB, 0xBF));
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < columns; c++) {
      names.add("col" + c);
    }
    String previousEnd = TERMINATORS[random.nextInt(3)];
    out.writeBytes((String.join(",", names) + previousEnd).getBytes(StandardCharsets.UTF_8));
    List<long[]> spans = new ArrayList<>();
    List<List<String>> fields = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      while (random.nextInt(8) == 0) { // blank lines; a lone CR then LF would make one CRLF, so avoid that
        String blank = previousEnd.equals("\r") ? "\r" : TERMINATORS[random.nextInt(3)];
        out.writeBytes(blank.getBytes(StandardCharsets.UTF_8));
        previousEnd = blank;
      }
      List<String> row = new ArrayList<>();
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        String field = randomField(random);
        row.add(field);
        line.append(c == 0 ? "" : ",").append(quote(field, random));
      }
      boolean last = r == rows - 1;
      previousEnd = last && random.nextBoolean() ? "" : TERMINATORS[random.nextInt(3)];
      line.append(previousEnd);
      long start = out.size();
      out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
      spans.add(new long[] {start, out.size()});
      fields.add(row);
    }
    if (!previousEnd.isEmpty() && random.nextBoolean()) {
      out.writeBytes((previousEnd.equals("\r") ? "\r\r" : "\n\r\n").getBytes(StandardCharsets.UTF_8));
    }
    byte[] content = out.toByteArray();
    // The line of each record: 1 + the line breaks (LF, CRLF, lone CR) before its first byte.
    List<Rec> expected = new ArrayList<>();
    long breaks = 0;
    int at = 0;
    for (int r = 0; r < rows; r++) {
      long[] span = spans.get(r);
      for (; at < span[0]; at++) {
        if (content[at] == '\n' || (content[at] == '\r' && (at + 1 >= content.length || content[at + 1] != '\n'))) {
          breaks++;
        }
      }
      expected.add(new Rec(r + 1, breaks + 1, span[0], span[1], fields.get(r), null));
    }
    return new Generated(content, expected);
  }

  @Test
  void generatedFilesReadAsWrittenAndReadBackChunkByChunk() throws Exception {
    Random random = new Random(20_240_601);
    for (int n = 0; n < 80; n++) {
      // Given
      Generated generated = generate(random, random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(400));
      Path file = write(dir, "gen" + n + ".csv", generated.content());
      int bufferSize = BUFFER_SIZES[random.nextInt(BUFFER_SIZES.length)];
      int chunkSize = CHUNK_SIZES[random.nextInt(CHUNK_SIZES.length)];
      CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults(), bufferSize);

      // When
      Planned planned = plan(file, header, chunkSize, CsvLimits.defaults(), bufferSize);

      // Then
      assertThat(planned.visited()).as("file %d", n).isEqualTo(generated.expected());
      assertThat(planned.plan().sha256Hex()).isEqualTo(sha256(generated.content()));
      assertThat(planned.plan().fileSize()).isEqualTo(generated.content().length);
      assertChunksReadBack(file, header, planned, chunkSize, CsvLimits.defaults(),
          BUFFER_SIZES[random.nextInt(BUFFER_SIZES.length)]);
    }
  }

  @Test
  void garbageReadsTheSameWhateverTheBufferAndChunkSizes() throws Exception {
    // Any bytes at all: planning with any buffer size sees the same records, and every chunk reads back.
    int[] alphabet = {'a', 'a', 'a', 'b', ',', ',', '"', '"', '\n', '\r', ' ', 0, 0xE9, 0xC3, 0xA9};
    CsvLimits[] limits = {CsvLimits.defaults(), new CsvLimits(3, 4), new CsvLimits(1, 3)};
    Random random = new Random(7);
    for (int n = 0; n < 150; n++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes("a,b,c\n".getBytes(StandardCharsets.UTF_8));
      int length = random.nextInt(600);
      for (int i = 0; i < length; i++) {
        out.write(alphabet[random.nextInt(alphabet.length)]);
      }
      Path file = write(dir, "garbage" + n + ".csv", out.toByteArray());
      CsvLimits limit = limits[random.nextInt(limits.length)];
      CsvHeader header = CsvReader.readHeader(file, limit);
      int chunkSize = CHUNK_SIZES[random.nextInt(4)];

      Planned reference = plan(file, header, chunkSize, limit, CsvReader.DEFAULT_BUFFER_SIZE);
      assertThat(reference.plan().sha256Hex()).isEqualTo(sha256(out.toByteArray()));
      for (int bufferSize : new int[] {1, 2, 3, 16}) {
        Planned planned = plan(file, header, chunkSize, limit, bufferSize);
        assertThat(planned).as("file %d, buffer %d", n, bufferSize).isEqualTo(reference);
      }
      assertChunksReadBack(file, header, reference, chunkSize, limit, BUFFER_SIZES[random.nextInt(4)]);
      for (Rec rec : reference.visited()) {
        assertThat(rec.endOffset()).isGreaterThan(rec.offset());
        for (String field : rec.fields()) {
          assertThat(field.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(3 * limit.maxFieldBytes());
        }
      }
    }
  }
}
