package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.engine.RowInput;
import dev.ferry.spec.JobSpec;
import dev.ferry.spec.SpecJobs;
import dev.ferry.spec.SpecLoader;
import dev.ferry.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The slices of a spec's source: disjoint, in the source's order, for each kind of source. */
class SpecSlicesTest {
  private static final String STEPS = """
      targets: { api: { base_url: "http://127.0.0.1:9" } }
      steps:
        - { name: send, target: api, request: { method: POST, path: /x, body: { id: "{{ row.id }}" } } }
      """;

  @TempDir
  Path dir;

  private JobSpec spec(String source) {
    return SpecLoader.parse("bench.yaml", source + STEPS, Map.of(), dir);
  }

  /** The ids of a slice's rows, as its source plans them. */
  private static List<String> ids(JobSpec slice) throws Exception {
    List<String> ids = new ArrayList<>();
    SpecJobs.source(slice).plan(1000, (RowInput r) -> ids.add(String.valueOf(r.record().get("id"))));
    return ids;
  }

  @Test
  void jsonlSlicesTakeConsecutiveNonBlankLines() throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, "{\"id\": 1}\n\n{\"id\": 2}\n{\"id\": 3}\n   \n{\"id\": 4}\n{\"id\": 5}\n");
    List<JobSpec> slices = SpecSlices.slices(spec("source: { jsonl: { path: \"" + input + "\" } }\n"), 2, 2, dir);
    assertThat(ids(slices.get(0))).containsExactly("1", "2");
    assertThat(ids(slices.get(1))).containsExactly("3", "4");
    assertThatThrownBy(() -> SpecSlices.slices(spec("source: { jsonl: { path: \"" + input + "\" } }\n"), 2, 3, dir))
        .hasMessageContaining("holds 5 records; 3 slices of 2 need 6");
  }

  @Test
  void csvSlicesRepeatTheHeader() throws Exception {
    Path input = dir.resolve("in.csv");
    Files.writeString(input, "id,name\n1,a\n2,\"b\nc\"\n3,d\n4,e\n");
    List<JobSpec> slices = SpecSlices.slices(spec("source: { csv: { path: \"" + input + "\" } }\n"), 2, 2, dir);
    assertThat(ids(slices.get(0))).containsExactly("1", "2");
    assertThat(ids(slices.get(1))).containsExactly("3", "4");
  }

  @Test
  void aJsonlResultsFileGoesToTheStudysDirectory() throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, "{\"id\": 1}\n{\"id\": 2}\n");
    Path results = dir.resolve("mine.jsonl");
    JobSpec spec = spec("source: { jsonl: { path: \"" + input + "\" } }\nsink: { jsonl: { path: \"" + results
        + "\" } }\n");
    Path work = Files.createDirectory(dir.resolve("work"));
    List<JobSpec> slices = SpecSlices.slices(spec, 1, 2, work);
    assertThat(((JobSpec.JsonlSink) slices.get(1).sink()).path()).isEqualTo(work.resolve("results-2.jsonl"));
  }

  @Test
  void sqlSlicesArePagesOfTheQueryInKeyOrderOnSqlite() throws Exception {
    try (TestDatabase db = TestDatabase.sqlite(dir)) {
      sqlSlices(db);
    }
  }

  @Test
  void sqlSlicesArePagesOfTheQueryInKeyOrderOnPostgres() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      sqlSlices(db);
    }
  }

  private void sqlSlices(TestDatabase db) throws Exception {
    db.exec("CREATE TABLE documents (id BIGINT PRIMARY KEY, title VARCHAR(50))");
    db.exec("INSERT INTO documents VALUES (50, 'e'), (10, 'a'), (40, 'd'), (20, 'b'), (30, 'c'), (60, 'f'), (70, 'g')");
    JobSpec spec = spec("source: { sql: { url: \"" + db.url() + "\", query: \"SELECT id, title FROM documents"
        + " ORDER BY title DESC\", key: id } }\n");
    List<JobSpec> slices = SpecSlices.slices(spec, 3, 3, dir);
    assertThat(ids(slices.get(0))).containsExactly("10", "20", "30");
    assertThat(ids(slices.get(1))).containsExactly("40", "50", "60");
    assertThat(ids(slices.get(2))).containsExactly("70");
  }
}
