package dev.ferry.sinks.sql;

import dev.ferry.testing.TestDatabase;

/** The write-back sink on MariaDB (fresh database per test; skipped without a server unless CI=true). */
class MariaDbSqlUpdateSinkTest extends SqlUpdateSinkContractTest {
  @Override
  protected TestDatabase newDatabase() {
    return TestDatabase.mariadb();
  }
}
