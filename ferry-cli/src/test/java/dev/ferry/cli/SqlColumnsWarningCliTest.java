package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec reading columns its SQL query does not return: at planning, one warning naming each of them (with "did you
 * mean") and the query's columns. A query's columns are the same for every row, so such a read is null for every row:
 * a trial of seed 002 reading row.contnet of a query returning body embedded an empty input for each document, and
 * its dry run said every row was fine.
 */
class SqlColumnsWarningCliTest {
  @TempDir
  Path dir;

  private static final String SPEC = """
      source:
        sql: { url: "${DATABASE_URL}", query: "SELECT doc_id, title, body FROM docs", key: doc_id }
      targets:
        api: { base_url: "http://127.0.0.1:1" }
      steps:
        - name: embed
          target: api
          request: { method: POST, path: /embeddings, body: { input: "{{ row.%s }}", title: "{{ row.title }}" } }
      key: "{{ row.doc_id }}"
      """;

  @Test
  void aColumnTheQueryLacksIsNamedWithTheClosestOne() throws Exception {
    try (TestDatabase db = docs()) {
      // Given a spec reading row.bdy (a typo of body) besides row.title and row.doc_id, which the query returns
      Path spec = Files.writeString(dir.resolve("job.yaml"), SPEC.formatted("bdy"));

      // When it is planned (a dry run)
      CliRun run = dryRun(spec, db);

      // Then one warning names the column, the closest one and the query's columns; the run goes on
      assertThat(run.exit()).as(run.toString()).isZero();
      assertThat(run.errLines().stream().filter(l -> l.startsWith("ferry: warning:"))).as(run.toString())
          .containsExactly("ferry: warning: " + spec + ": source.sql.query returns no column for row.bdy (did you"
              + " mean row.body?): each such read is null for every row; the query's columns: doc_id, title, body");
    }
  }

  @Test
  void aSpecReadingOnlyTheQuerysColumnsGetsNoWarning() throws Exception {
    try (TestDatabase db = docs()) {
      CliRun run = dryRun(Files.writeString(dir.resolve("job.yaml"), SPEC.formatted("body")), db);

      assertThat(run.exit()).as(run.toString()).isZero();
      assertThat(run.err()).as(run.toString()).doesNotContain("warning");
    }
  }

  private TestDatabase docs() throws Exception {
    TestDatabase db = TestDatabase.sqlite(dir);
    try (Connection c = DriverManager.getConnection(db.url()); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE docs (doc_id TEXT PRIMARY KEY, title TEXT, body TEXT)");
      st.execute("INSERT INTO docs VALUES ('a', 'A', 'alpha'), ('b', 'B', NULL)");
    }
    return db;
  }

  private CliRun dryRun(Path spec, TestDatabase db) {
    return CliRun.run(Map.of("DATABASE_URL", db.url()), "run", spec.toString(), "--dry-run", "--progress", "never",
        "--job-id", "cols", "--checkpoint-dir", dir.resolve(".ferry").toString());
  }
}
