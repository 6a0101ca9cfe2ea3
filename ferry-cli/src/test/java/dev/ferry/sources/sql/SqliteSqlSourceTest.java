package dev.ferry.sources.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.source.ChunkPlan;
import dev.ferry.core.source.InputException;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQL source over a SQLite file. */
class SqliteSqlSourceTest extends SqlSourceContractTest {
  @TempDir
  Path dir;

  @Override
  protected TestDatabase newDatabase() {
    return TestDatabase.sqlite(dir);
  }

  @Test
  void keysOfMoreThanOneTypeInAnUntypedColumnAreRefusedWhenPlanningNotReadAsRowsThatAreGone() throws IOException {
    // Given a column without a declared type: SQLite keeps 1 and 2 as integers, '5' as text
    db.exec("CREATE TABLE loose (id, title)", "INSERT INTO loose VALUES (1, 'a'), (2, 'b'), ('5', 'c')");

    // When / Then: refused, naming what to do (before, '5' was planned as 5 and read back as "no longer in the source")
    assertThatThrownBy(() -> source("SELECT id, title FROM loose", "id").plan(10, r -> {}))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("the key column 'id' holds integers and, in key order row 3, a value of another type")
        .hasMessageContaining("CAST(id AS TEXT)");

    // And the cast it suggests plans and reads every row
    SqlSource cast = source("SELECT CAST(id AS TEXT) AS id, title FROM loose", "id");
    ChunkPlan plan = cast.plan(10, r -> {});
    List<RowInput> rows = new ArrayList<>();
    for (ChunkSpec c : plan.chunks()) {
      try (var cursor = cast.chunks().open(c)) {
        for (RowInput r; (r = cursor.next()) != null; ) rows.add(r);
      }
    }
    assertThat(rows).extracting(RowInput::error).containsOnlyNulls();
    assertThat(rows).extracting(r -> r.record().get("title")).containsExactly("a", "b", "c");
  }
}
