package dev.ferry.sources.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.engine.ChunkSource;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.source.ChunkPlan;
import dev.ferry.core.source.InputException;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.testing.TestDatabase;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link SqlSource} promises, run against each database it supports through the same code: every subclass
 * supplies an empty database per test.
 */
abstract class SqlSourceContractTest {
  static final String DOCS = "SELECT id, title, content FROM documents";

  protected TestDatabase db;

  /** An empty database for this test. */
  protected abstract TestDatabase newDatabase();

  @BeforeEach
  void openDatabase() {
    db = newDatabase();
    db.exec("CREATE TABLE documents (id BIGINT PRIMARY KEY, title VARCHAR(200), content TEXT)");
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  @Test
  void chunksFollowTheKeysInOrderWhateverTheirGaps() throws IOException {
    // Given ids with gaps, inserted out of order
    insertDocs(100, 12, 1, 2, 3, 4, 5, 7, 10, 11);
    List<RowInput> seen = new ArrayList<>();

    // When
    ChunkPlan plan = source(DOCS).plan(4, seen::add);

    // Then
    assertThat(plan.totalRows()).isEqualTo(10);
    assertThat(plan.fileSize()).isEqualTo(10);
    assertThat(plan.chunks()).containsExactly(
        new ChunkSpec(0, 0, 1, 1, 4, "i:1..4"),
        new ChunkSpec(1, 0, 5, 5, 4, "i:5,7,10..11"),
        new ChunkSpec(2, 0, 9, 9, 2, "i:12,100"));
    assertThat(seen).extracting(RowInput::row).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(seen).extracting(r -> r.record().get("id")).containsExactly(1L, 2L, 3L, 4L, 5L, 7L, 10L, 11L, 12L,
        100L);
    assertThat(seen).extracting(RowInput::chunk).containsExactly(0, 0, 0, 0, 1, 1, 1, 1, 2, 2);
  }

  @Test
  void aChunkReadGivesExactlyItsPlannedRowsAsRecords() throws IOException {
    // Given
    insertDocs(1, 2, 3, 5, 8, 13, 21);
    SqlSource source = source(DOCS);
    ChunkPlan plan = source.plan(3, r -> {});

    // When
    List<List<RowInput>> chunks = new ArrayList<>();
    for (ChunkSpec chunk : plan.chunks()) chunks.add(read(source.chunks(), chunk));

    // Then
    assertThat(chunks).hasSize(3);
    assertThat(chunks.get(1)).extracting(RowInput::row).containsExactly(4L, 5L, 6L);
    assertThat(chunks.get(1)).extracting(RowInput::line).containsExactly(4L, 5L, 6L);
    assertThat(chunks.get(1)).extracting(RowInput::chunk).containsExactly(1, 1, 1);
    assertThat(chunks.get(1)).extracting(RowInput::error).containsOnlyNulls();
    assertThat(chunks.get(1).get(0).record()).containsExactly(Map.entry("id", 5L), Map.entry("title", "title 5"),
        Map.entry("content", "content of 5"));
    assertThat(chunks.get(2)).extracting(r -> r.record().get("id")).containsExactly(21L);
    assertThat(chunks.stream().flatMap(List::stream).map(r -> r.record().get("id")))
        .containsExactly(1L, 2L, 3L, 5L, 8L, 13L, 21L);
  }

  @Test
  void textKeysArePlannedAndReadToo() throws IOException {
    // Given
    db.exec("CREATE TABLE tags (name VARCHAR(64) PRIMARY KEY, note TEXT)",
        "INSERT INTO tags (name, note) VALUES ('b', 'bee'), ('a', 'ay'), ('c d', 'with space'),"
            + " ('\u00e9t\u00e9', 'accents'), ('x\"y,z', 'quote and comma')");
    SqlSource source = source("SELECT name, note FROM tags", "name");

    // When
    ChunkPlan plan = source.plan(2, r -> {});
    List<RowInput> rows = new ArrayList<>();
    for (ChunkSpec chunk : plan.chunks()) rows.addAll(read(source.chunks(), chunk));

    // Then
    assertThat(plan.chunks()).hasSize(3).allSatisfy(c -> assertThat(c.position()).startsWith("s:["));
    assertThat(rows).extracting(RowInput::row).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(rows).extracting(RowInput::error).containsOnlyNulls();
    assertThat(rows).extracting(r -> r.record().get("name") + "=" + r.record().get("note")).containsExactlyInAnyOrder(
        "a=ay", "b=bee", "c d=with space", "\u00e9t\u00e9=accents", "x\"y,z=quote and comma");
  }

  @Test
  void anEmptyTableHasNoChunksAndStaysResumable() throws IOException {
    // Given
    SqlSource source = source(DOCS);

    // When
    ChunkPlan plan = source.plan(10, r -> {});

    // Then
    assertThat(plan.chunks()).isEmpty();
    assertThat(plan.totalRows()).isZero();
    insertDocs(1);
    source.checkUnchanged(plan.fileSize(), plan.sha256Hex()); // rows added since are not part of the job
  }

  @Test
  void deletedRowsAreInvalidInsertedOnesAreNotPartOfTheJobAndUpdatesAreRead() throws IOException {
    // Given a plan of 1, 3, 5, 7
    insertDocs(1, 3, 5, 7);
    SqlSource source = source(DOCS);
    ChunkPlan plan = source.plan(10, r -> {});

    // When the table changes before the chunk is read
    db.exec("DELETE FROM documents WHERE id = 3", "INSERT INTO documents VALUES (4, 'new', 'inserted after planning')",
        "UPDATE documents SET content = 'edited' WHERE id = 5");
    List<RowInput> rows = read(source.chunks(), plan.chunks().get(0));

    // Then
    assertThat(rows).extracting(RowInput::row).containsExactly(1L, 2L, 3L, 4L);
    assertThat(rows).extracting(RowInput::error).containsExactly(null, SqlSource.GONE, null, null);
    assertThat(rows.get(1).record()).isEqualTo(Map.of("id", 3L));
    assertThat(rows.get(2).record()).containsEntry("content", "edited");
    assertThat(rows).extracting(r -> r.record().get("id")).containsExactly(1L, 3L, 5L, 7L);
  }

  @Test
  void manyRowsInsertedInsideAChunksRangeAreSkippedPageAfterPage() throws IOException {
    // Given a chunk planned as keys 1 and 1000, then 3 pages' worth of rows inserted between them
    insertDocs(1, 1000);
    SqlSource source = source(DOCS);
    ChunkPlan plan = source.plan(10, r -> {});
    insertDocs(IntStream.rangeClosed(2, 2 + 3 * SqlSource.PAGE).toArray());

    // When
    List<RowInput> rows = read(source.chunks(), plan.chunks().get(0));

    // Then
    assertThat(rows).extracting(r -> r.record().get("id")).containsExactly(1L, 1000L);
    assertThat(rows).extracting(RowInput::error).containsOnlyNulls();
  }

  @Test
  void aResumeRefusesATableWhosePlannedRowsChanged() throws IOException {
    // Given
    insertDocs(1, 2, 3, 10);
    SqlSource source = source(DOCS);
    ChunkPlan plan = source.plan(2, r -> {});
    source.checkUnchanged(plan.fileSize(), plan.sha256Hex());

    // When rows are added after the last planned key, the input is the same
    insertDocs(11, 12);
    db.exec("UPDATE documents SET title = 'edited' WHERE id = 2");
    source.checkUnchanged(plan.fileSize(), plan.sha256Hex());

    // When one is inserted inside the planned range, or a planned one deleted, it is not
    insertDocs(5);
    assertThatThrownBy(() -> source.checkUnchanged(plan.fileSize(), plan.sha256Hex()))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("the rows changed since the job was planned: 5 rows have a key up to 10, 4 were planned");
    db.exec("DELETE FROM documents WHERE id = 3");
    assertThatThrownBy(() -> source.checkUnchanged(plan.fileSize(), plan.sha256Hex()))
        .isInstanceOf(InputException.class).hasMessageContaining("as planned, but not the same keys");

    // and another query is another input
    assertThatThrownBy(() -> source("SELECT id, title FROM documents").checkUnchanged(plan.fileSize(),
        plan.sha256Hex())).isInstanceOf(InputException.class).hasMessageContaining("the query or key column");
    assertThatThrownBy(() -> source.checkUnchanged(4, "0123abcd")).isInstanceOf(InputException.class)
        .hasMessageContaining("not planned from a SQL source");
  }

  @Test
  void severalChunksAreReadAtOnceFromOneSource() throws Exception {
    // Given
    insertDocs(IntStream.rangeClosed(1, 400).map(i -> i * 3).toArray());
    SqlSource source = source(DOCS);
    ChunkPlan plan = source.plan(37, r -> {});
    ChunkSource chunks = source.chunks();

    // When every chunk is read by its own thread, all at once
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<List<RowInput>>> reads = new ArrayList<>();
      for (ChunkSpec chunk : plan.chunks()) reads.add(pool.submit(() -> read(chunks, chunk)));

      // Then each chunk holds exactly its rows
      List<Object> ids = new ArrayList<>();
      assertThat(plan.chunks()).hasSizeGreaterThan(10);
      for (int i = 0; i < reads.size(); i++) {
        List<RowInput> rows = reads.get(i).get();
        assertThat(rows).hasSize(plan.chunks().get(i).rowCount());
        assertThat(rows).allSatisfy(r -> assertThat(r.record().get("content")).isEqualTo("content of " + r.record()
            .get("id")));
        rows.forEach(r -> ids.add(r.record().get("id")));
      }
      assertThat(ids).containsExactlyElementsOf(IntStream.rangeClosed(1, 400).mapToObj(i -> (Object) (long) (i * 3))
          .toList());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void columnsBecomeJsonLikeValues() throws IOException {
    // Given
    db.exec("CREATE TABLE typed (id INTEGER PRIMARY KEY, n INTEGER, big BIGINT, price DECIMAL(10,2),"
            + " ratio DOUBLE PRECISION, flag BOOLEAN, born DATE, seen TIMESTAMP NULL, body TEXT, missing VARCHAR(10))",
        "INSERT INTO typed VALUES (1, 42, 9007199254740993, 12.50, 0.25, TRUE, '2024-01-31',"
            + " '2024-01-31 10:15:30', '" + "x".repeat(60_000) + "', NULL)");
    SqlSource source = source("SELECT * FROM typed");

    // When
    ChunkPlan plan = source.plan(10, r -> {});
    Map<String, Object> record = read(source.chunks(), plan.chunks().get(0)).get(0).record();

    // Then
    assertThat(record).containsEntry("id", 1L).containsEntry("n", 42L).containsEntry("big", 9007199254740993L)
        .containsEntry("ratio", 0.25).containsEntry("missing", null);
    assertThat(new BigDecimal(record.get("price").toString())).isEqualByComparingTo("12.50");
    assertThat(record.get("flag")).isIn(true, 1L);
    assertThat(record.get("born")).isEqualTo("2024-01-31");
    assertThat((String) record.get("seen")).startsWith("2024-01-31").contains("10:15:30");
    assertThat((String) record.get("body")).hasSize(60_000);
  }

  @Test
  void unusableKeysAndQueriesAreInputErrorsNamingTheDatabase() {
    // Given
    insertDocs(1, 2);
    db.exec("CREATE TABLE dup (k INTEGER, v TEXT)", "INSERT INTO dup VALUES (1, 'a'), (1, 'b')",
        "CREATE TABLE nulls (k INTEGER, v TEXT)", "INSERT INTO nulls VALUES (NULL, 'a')");

    // When / Then
    assertThatThrownBy(() -> source("SELECT k, v FROM dup", "k").plan(10, r -> {}))
        .isInstanceOf(InputException.class).hasMessageContaining("'k' is not unique: 1 appears more than once");
    assertThatThrownBy(() -> source("SELECT k, v FROM nulls", "k").plan(10, r -> {}))
        .isInstanceOf(InputException.class).hasMessageContaining("'k' is NULL");
    assertThatThrownBy(() -> source("SELECT id, nope FROM documents").plan(10, r -> {}))
        .isInstanceOf(InputException.class).hasMessageStartingWith("cannot read the keys of the query in ")
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> source(DOCS, "title; DROP TABLE documents"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain column name");
  }

  @Test
  void aPositionWrittenByAnotherSourceIsRefused() {
    SqlSource source = source(DOCS);
    assertThatThrownBy(() -> source.chunks().open(new ChunkSpec(0, 0, 1, 1, 2, "")))
        .isInstanceOf(IOException.class).hasMessageContaining("not planned by a SQL source");
    assertThatThrownBy(() -> source.chunks().open(new ChunkSpec(0, 0, 1, 1, 3, "i:1..2")))
        .isInstanceOf(IOException.class).hasMessageContaining("has 3 rows but its position holds 2 keys");
  }

  @Test
  void describeNamesTheDatabaseKeyAndQuery() {
    assertThat(source("SELECT id,\n  title FROM documents").describe())
        .matches(".* \\((schema [^,()]+, )?key id\\): SELECT id, title FROM documents").doesNotContain("jdbc:")
        .doesNotContain("user=");
  }

  // ---------------------------------------------------------------------------------------- helpers

  SqlSource source(String query) {
    return source(query, "id");
  }

  SqlSource source(String query, String key) {
    return new SqlSource(new SqlSourceConfig(db.url(), query, key));
  }

  void insertDocs(int... ids) {
    StringBuilder insert = new StringBuilder("INSERT INTO documents (id, title, content) VALUES ");
    for (int i = 0; i < ids.length; i++) {
      insert.append(i == 0 ? "" : ", ").append("(").append(ids[i]).append(", 'title ").append(ids[i])
          .append("', 'content of ").append(ids[i]).append("')");
    }
    db.exec(insert.toString());
  }

  static List<RowInput> read(ChunkSource chunks, ChunkSpec chunk) throws IOException {
    List<RowInput> rows = new ArrayList<>();
    try (ChunkSource.RowCursor cursor = chunks.open(chunk)) {
      for (RowInput row = cursor.next(); row != null; row = cursor.next()) rows.add(row);
    }
    return rows;
  }
}
