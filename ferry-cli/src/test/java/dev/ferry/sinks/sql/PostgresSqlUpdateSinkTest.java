package dev.ferry.sinks.sql;

import dev.ferry.testing.TestDatabase;

/** The write-back sink on PostgreSQL (fresh schema per test; skipped without a server unless CI=true). */
class PostgresSqlUpdateSinkTest extends SqlUpdateSinkContractTest {
  @Override
  protected TestDatabase newDatabase() {
    return TestDatabase.postgres();
  }
}
