package dev.ferry.sources.sql;

import dev.ferry.testing.TestDatabase;

/**
 * The SQL source over MariaDB at 127.0.0.1:3306 (the MySQL/MariaDB path), a fresh database per test; skipped when
 * the server cannot be reached, except with {@code CI=true}.
 */
class MariaDbSqlSourceTest extends SqlSourceContractTest {
  @Override
  protected TestDatabase newDatabase() {
    return TestDatabase.mariadb();
  }
}
