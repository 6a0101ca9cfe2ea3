package dev.ferry.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.engine.ChunkSource;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.source.ChunkPlan;
import dev.ferry.core.source.InputException;
import dev.ferry.core.spi.ChunkSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlSourceTest {
  @TempDir
  Path dir;

  static final String TEXT = "{\"id\":1,\"user\":{\"email\":\"a@x.io\"}}\n"
      + "\n"
      + "{\"id\":2,\"tags\":[\"x\",\"y\"]}\r\n"
      + "{not json}\n"
      + "[1,2]\n"
      + "{\"id\":5}";

  @Test
  void plansChunksAtLineOffsetsAndReadsThemBack() throws IOException {
    Path file = dir.resolve("in.jsonl");
    Files.writeString(file, TEXT);
    JsonlSource source = new JsonlSource(file);
    List<RowInput> seen = new ArrayList<>();
    ChunkPlan plan = source.plan(2, seen::add);
    assertThat(plan.totalRows()).isEqualTo(5);
    assertThat(plan.fileSize()).isEqualTo(Files.size(file));
    assertThat(plan.sha256Hex()).isEqualTo(HexFormat.of().formatHex(
        sha256(Files.readAllBytes(file))));
    assertThat(plan.chunks()).extracting(ChunkSpec::firstLine, ChunkSpec::firstRow, ChunkSpec::rowCount)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, 1L, 2), org.assertj.core.groups.Tuple.tuple(4L, 3L, 2),
            org.assertj.core.groups.Tuple.tuple(6L, 5L, 1));
    assertThat(plan.chunks().get(1).byteOffset()).isEqualTo(TEXT.indexOf("{not"));
    assertThat(seen).extracting(RowInput::line).containsExactly(1L, 3L, 4L, 5L, 6L);
    assertThat(seen.get(0).record()).containsEntry("user", Map.of("email", "a@x.io"));
    assertThat(seen.get(1).record().get("tags")).isEqualTo(List.of("x", "y"));
    assertThat(seen.get(2).error()).startsWith("in.jsonl:4: not valid JSON");
    assertThat(seen.get(3).error()).isEqualTo("in.jsonl:5: expected a JSON object, found an array");
    List<RowInput> again = new ArrayList<>();
    ChunkSource chunks = source.chunks();
    for (ChunkSpec c : plan.chunks()) {
      try (ChunkSource.RowCursor cursor = chunks.open(c)) {
        for (RowInput r; (r = cursor.next()) != null; ) again.add(r);
      }
    }
    assertThat(again).extracting(RowInput::row, RowInput::line, RowInput::chunk, RowInput::error)
        .isEqualTo(seen.stream().map(r -> org.assertj.core.groups.Tuple.tuple(r.row(), r.line(), r.chunk(), r.error()))
            .toList());
    assertThat(again.get(4).record()).containsEntry("id", 5);
  }

  @Test
  void aLineThatDoesNotParseIsNamedByColumnAndReasonWithoutQuotingTheLine() throws IOException {
    Path file = dir.resolve("in.jsonl");
    Files.writeString(file, "{\"id\":1,\"password\":sk_live_BAREWORD}\n"
        + "{\"id\":2,\"password\":\"sk_live_ESCAPE\\q\"}\n"
        + "{\"id\":3} {\"password\":\"sk_live_TRAILING\"}\n"
        + "{\"id\":4,\"password\":\"sk_live_OPEN\n"
        + "{\"id\":5,\"user\":{\"email\":\"a@x.io\",\"email\":\"b@x.io\"}}");
    List<RowInput> seen = new ArrayList<>();
    new JsonlSource(file).plan(10, seen::add);
    assertThat(seen).extracting(RowInput::error).containsExactly(
        "in.jsonl:1: not valid JSON at column 20: a word that is not a JSON value (text needs double quotes)",
        "in.jsonl:2: not valid JSON at column 36: an unknown backslash escape inside a string",
        "in.jsonl:3: not valid JSON at column 10: more text after the JSON object (one object a line)",
        "in.jsonl:4: not valid JSON at column 33: the line ends before the JSON value does (a missing } ] or \")",
        "in.jsonl:5: ambiguous JSON at column 41: the field 'email' is written twice in one object");
    assertThat(seen).extracting(RowInput::error).noneMatch(m -> m.contains("sk_live") || m.contains("Jackson")
        || m.contains("`"));
  }

  @Test
  void aChangedFileIsRefusedOnResume() throws IOException {
    Path file = dir.resolve("in.jsonl");
    Files.writeString(file, TEXT);
    JsonlSource source = new JsonlSource(file);
    ChunkPlan plan = source.plan(10, r -> { });
    source.checkUnchanged(plan.fileSize(), plan.sha256Hex());
    Files.writeString(file, TEXT.replace("\"id\":5", "\"id\":6"));
    assertThatThrownBy(() -> source.checkUnchanged(plan.fileSize(), plan.sha256Hex()))
        .isInstanceOf(InputException.class).hasMessageContaining("the file changed since the job was planned");
    Files.delete(file);
    assertThatThrownBy(() -> source.checkUnchanged(plan.fileSize(), plan.sha256Hex()))
        .isInstanceOf(InputException.class).hasMessageContaining("gone");
  }

  @Test
  void anOverlongLineIsAnInvalidRowAndTheNextLineStillReads() throws IOException {
    Path file = dir.resolve("long.jsonl");
    Files.writeString(file, "{\"a\":\"" + "x".repeat(100) + "\"}\n{\"b\":1}\n");
    List<RowInput> seen = new ArrayList<>();
    new JsonlSource(file, 50).plan(10, seen::add);
    assertThat(seen.get(0).error()).isEqualTo("long.jsonl:1: the line is longer than 50 bytes");
    assertThat(seen.get(1).record()).containsEntry("b", 1);
  }

  @Test
  void csvRowsCarryARecordByHeader() throws IOException {
    Path file = dir.resolve("in.csv");
    Files.writeString(file, "id,email\n1,a@x.io\n2,b@x.io\n");
    CsvRecordSource source = new CsvRecordSource(file);
    List<Map<String, Object>> seen = new ArrayList<>();
    ChunkPlan plan = source.plan(1, r -> seen.add(((CsvRecord) r.record()).copy())); // read during the visit only
    assertThat(seen).containsExactly(Map.of("id", "1", "email", "a@x.io"),
        Map.of("id", "2", "email", "b@x.io"));
    try (ChunkSource.RowCursor c = source.chunks().open(plan.chunks().get(1))) {
      RowInput r = c.next();
      assertThat(r.record()).containsEntry("email", "b@x.io");
      assertThat(r.chunk()).isEqualTo(1);
      assertThat(c.next()).isNull();
    }
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
