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
    try (JsonlResultsSink sink = new JsonlResultsSink(file, "j1", r -> (String) r.record().get("id"))) {
      sink.write(row(1), Map.of("create", Map.of("id", "c1")));
      sink.write(row(2), Map.of());
      sink.write(row(1), Map.of("create", Map.of("id", "other")));
    }
    Files.writeString(file, Files.readString(file) + "{\"row\":3,\"li", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    try (JsonlResultsSink sink = new JsonlResultsSink(file, "j1", r -> (String) r.record().get("id"))) {
      assertThat(sink.holds(2)).isTrue();
      assertThat(sink.holds(3)).isFalse();
      sink.write(row(2), Map.of()); // the ledger never recorded row 2: resume sends it again
      sink.write(row(3), Map.of());
    }
    assertThat(Files.readAllLines(file)).containsExactly(
        "{\"row\":1,\"line\":2,\"key\":\"r1\",\"job\":\"j1\",\"results\":{\"create\":{\"id\":\"c1\"}}}",
        "{\"row\":2,\"line\":3,\"key\":\"r2\",\"job\":\"j1\",\"results\":{}}",
        "{\"row\":3,\"line\":4,\"key\":\"r3\",\"job\":\"j1\",\"results\":{}}");
  }

  @Test
  void anotherJobsLinesNeverStandForThisJobsRows() throws Exception {
    // Given: a file an earlier job wrote rows 1-2 to (e.g. the same spec run yesterday into its default path), and
    // a line from before lines named their job
    Path file = dir.resolve("results.jsonl");
    try (JsonlResultsSink yesterday = new JsonlResultsSink(file, "day1", r -> (String) r.record().get("id"))) {
      yesterday.write(row(1), Map.of("create", Map.of("id", "old1")));
      yesterday.write(row(2), Map.of("create", Map.of("id", "old2")));
    }
    Files.writeString(file, "{\"row\":3,\"line\":4,\"results\":{}}\n", java.nio.file.StandardOpenOption.APPEND);

    // When: a new job writes its rows 1-3 into the same file
    try (JsonlResultsSink today = new JsonlResultsSink(file, "day2", r -> (String) r.record().get("id"))) {
      assertThat(today.holds(1)).isFalse();
      assertThat(today.holds(3)).as("a line without a job counts as this job's").isTrue();
      today.write(row(1), Map.of("create", Map.of("id", "new1")));
      today.write(row(2), Map.of("create", Map.of("id", "new2")));
      today.write(row(1), Map.of("create", Map.of("id", "again"))); // resent after a crash: once
    }

    // Then: its rows are written once each, and yesterday's lines are kept
    assertThat(Files.readAllLines(file)).hasSize(5).filteredOn(l -> l.contains("\"job\":\"day2\""))
        .containsExactly(
            "{\"row\":1,\"line\":2,\"key\":\"r1\",\"job\":\"day2\",\"results\":{\"create\":{\"id\":\"new1\"}}}",
            "{\"row\":2,\"line\":3,\"key\":\"r2\",\"job\":\"day2\",\"results\":{\"create\":{\"id\":\"new2\"}}}");
  }
}
