package dev.ferry.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.RowInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlResultsSinkTest {
  @TempDir
  Path dir;

  static RowInput row(long n) {
    return new RowInput(n, 0, n + 1, null, null, Map.of("id", "r" + n));
  }

  @Test
  void aRowRepeatedAfterACrashIsWrittenOnceAndAHalfLineIsCut() throws Exception {
    Path file = dir.resolve("out/results.jsonl");
    try (JsonlResultsSink sink = new JsonlResultsSink(file, r -> (String) r.record().get("id"))) {
      sink.write(row(1), Map.of("create", Map.of("id", "c1")));
      sink.write(row(2), Map.of());
      sink.write(row(1), Map.of("create", Map.of("id", "other")));
    }
    Files.writeString(file, Files.readString(file) + "{\"row\":3,\"li", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    try (JsonlResultsSink sink = new JsonlResultsSink(file, r -> (String) r.record().get("id"))) {
      assertThat(sink.holds(2)).isTrue();
      assertThat(sink.holds(3)).isFalse();
      sink.write(row(2), Map.of()); // the ledger never recorded row 2: resume sends it again
      sink.write(row(3), Map.of());
    }
    assertThat(Files.readAllLines(file)).containsExactly(
        "{\"row\":1,\"line\":2,\"key\":\"r1\",\"results\":{\"create\":{\"id\":\"c1\"}}}",
        "{\"row\":2,\"line\":3,\"key\":\"r2\",\"results\":{}}",
        "{\"row\":3,\"line\":4,\"key\":\"r3\",\"results\":{}}");
  }
}
