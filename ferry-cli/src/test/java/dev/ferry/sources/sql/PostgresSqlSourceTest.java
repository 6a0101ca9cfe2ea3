package dev.ferry.sources.sql;

import dev.ferry.testing.TestDatabase;

/**
 * The SQL source over PostgreSQL at 127.0.0.1:5432, a fresh schema per test; skipped when the server cannot be
 * reached, except with {@code CI=true}.
 */
class PostgresSqlSourceTest extends SqlSourceContractTest {
  @Override
  protected TestDatabase newDatabase() {
    return TestDatabase.postgres();
  }
}
