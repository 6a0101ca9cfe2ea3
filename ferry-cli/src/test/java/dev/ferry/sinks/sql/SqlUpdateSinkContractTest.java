package dev.ferry.sinks.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.engine.RowInput;
import dev.ferry.testing.TestDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@link SqlUpdateSink} promises, against each database through the same code. */
abstract class SqlUpdateSinkContractTest {
  protected TestDatabase db;

  protected abstract TestDatabase newDatabase();

  @BeforeEach
  void openDatabase() {
    db = newDatabase();
    db.exec("CREATE TABLE documents (id BIGINT PRIMARY KEY, title VARCHAR(200), vector TEXT, tokens INTEGER CHECK (tokens >= 0),"
        + " status VARCHAR(20), copied VARCHAR(200))");
    StringBuilder insert = new StringBuilder("INSERT INTO documents (id, title) VALUES ");
    for (int i = 1; i <= 40; i++) insert.append(i == 1 ? "" : ", ").append("(").append(i).append(", 'title ")
        .append(i).append("')");
    db.exec(insert.toString());
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  @Test
  void aRowsResultsAreWrittenToItsSourceRowOnly() throws Exception {
    // Given
    try (SqlUpdateSink sink = sink()) {
      // When
      sink.write(row(7), results(7));

      // Then
      assertThat(select(7)).containsExactly("title 7", "[0.5,7]", "7", "ok", "title 7");
      assertThat(select(8)).containsExactly("title 8", null, null, null, null);
    }
  }

  @Test
  void writingTheSameRowAgainChangesNothing() throws Exception {
    // Given
    try (SqlUpdateSink sink = sink()) {
      sink.write(row(3), results(3));
      List<String> once = select(3);

      // When the write is repeated, as after a crash before the ledger recorded the row
      sink.write(row(3), results(3));

      // Then
      assertThat(select(3)).isEqualTo(once);
    }
  }

  @Test
  void absentValuesAreNullAndADeletedRowIsCountedNotFailed() throws Exception {
    // Given
    db.exec("UPDATE documents SET status = 'old' WHERE id = 2", "DELETE FROM documents WHERE id = 9");
    try (SqlUpdateSink sink = sink()) {
      // When
      sink.write(row(2), Map.of("embed", Map.of("tokens", 3)));
      sink.write(row(9), results(9));

      // Then
      assertThat(select(2)).containsExactly("title 2", null, "3", null, "title 2");
      assertThat(sink.rowsNotFound()).isEqualTo(1);
    }
  }

  @Test
  void aRowWithoutItsKeyOrABadValueFailsAloneWithAClearMessage() throws Exception {
    try (SqlUpdateSink sink = sink()) {
      assertThatThrownBy(() -> sink.write(new RowInput(5, 0, 5, null, null, Map.of("title", "x")), results(5)))
          .isInstanceOf(IOException.class).hasMessage("row 5 has no value for 'id', the key of documents");
      assertThatThrownBy(() -> sink.write(row(4), Map.of("embed", Map.of("tokens", -1),
          "upsert", Map.of("status", "ok")))).isInstanceOf(IOException.class)
          .hasMessageStartingWith("cannot update row 4 in documents in ");
      sink.write(row(6), results(6));
      assertThat(select(6).get(3)).isEqualTo("ok");
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void rowsSettlingWhileABatchIsWrittenGoTogetherInTheNext() throws Exception {
    // Given another transaction holding row 1, so the first batch (row 1 alone) waits for it
    ExecutorService writers = Executors.newFixedThreadPool(16);
    try (SqlUpdateSink sink = sink(); Connection holder = DriverManager.getConnection(db.url())) {
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.executeUpdate("UPDATE documents SET title = 'held' WHERE id = 1");
      }
      List<Future<?>> writes = new ArrayList<>();
      writes.add(writers.submit(() -> write(sink, 1)));
      while (sink.batchesTaken() < 1) Thread.onSpinWait();

      // When 15 more rows settle meanwhile, then the first batch goes through
      for (int id = 2; id <= 16; id++) {
        int i = id;
        writes.add(writers.submit(() -> write(sink, i)));
      }
      while (sink.queued() < 15) Thread.onSpinWait();
      holder.commit();
      for (Future<?> f : writes) f.get();

      // Then they were written as one batch, all of them
      assertThat(sink.batches()).isEqualTo(2);
      for (int id = 1; id <= 16; id++) assertThat(select(id).get(3)).isEqualTo("ok");
    } finally {
      writers.shutdownNow();
    }
  }

  @Test
  void configurationIsCheckedAndCredentialsAreNotShown() {
    assertThatThrownBy(() -> config("documents; DROP TABLE x", Map.of("status", "upsert.status")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain table name");
    assertThatThrownBy(() -> config("documents", Map.of("status", "upsert..status")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("set.status must be a path");
    assertThatThrownBy(() -> config("documents", Map.of())).isInstanceOf(IllegalArgumentException.class);
    SqlUpdateSinkConfig secret = new SqlUpdateSinkConfig("jdbc:postgresql://db/x?password=pw-canary", "u",
        "pw-canary2", "documents", "id", null, Map.of("status", "upsert.status"));
    assertThat(secret.toString()).doesNotContain("pw-canary").contains("postgresql://db/x");
    assertThat(new SqlUpdateSink(secret).toString()).doesNotContain("pw-canary");
  }

  // ---------------------------------------------------------------------------------------- helpers

  private Void write(SqlUpdateSink sink, int id) throws IOException {
    sink.write(row(id), results(id));
    return null;
  }

  SqlUpdateSink sink() {
    Map<String, String> set = new LinkedHashMap<>();
    set.put("vector", "embed.vector");
    set.put("tokens", "embed.tokens");
    set.put("status", "upsert.status");
    set.put("copied", "row.title");
    return new SqlUpdateSink(config("documents", set));
  }

  SqlUpdateSinkConfig config(String table, Map<String, String> set) {
    return new SqlUpdateSinkConfig(db.url(), null, null, table, "id", null, set);
  }

  static RowInput row(long id) {
    return new RowInput(id, 0, id, null, null, Map.of("id", id, "title", "title " + id));
  }

  static Map<String, Object> results(long id) {
    return Map.of("embed", Map.of("vector", List.of(0.5, id), "tokens", id), "upsert", Map.of("status", "ok"));
  }

  /** title, vector, tokens, status, copied of row {@code id}, as text. */
  List<String> select(long id) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url()); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT title, vector, tokens, status, copied FROM documents WHERE id = " + id)) {
      assertThat(rs.next()).isTrue();
      List<String> values = new ArrayList<>();
      for (int i = 1; i <= 5; i++) values.add(rs.getString(i));
      return values;
    }
  }
}
