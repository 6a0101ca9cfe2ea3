package dev.ferry.sinks.sql;

import dev.ferry.testing.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The write-back sink on a SQLite file. */
class SqliteSqlUpdateSinkTest extends SqlUpdateSinkContractTest {
  @TempDir
  Path dir;

  @Override
  protected TestDatabase newDatabase() {
    return TestDatabase.sqlite(dir);
  }
}
