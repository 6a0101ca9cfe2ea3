package dev.ferry.sources.sql;

import dev.ferry.testing.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The SQL source over a SQLite file. */
class SqliteSqlSourceTest extends SqlSourceContractTest {
  @TempDir
  Path dir;

  @Override
  protected TestDatabase newDatabase() {
    return TestDatabase.sqlite(dir);
  }
}
