package dev.ferry.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The job store's tables, versioned with {@code PRAGMA user_version} in SQLite and the
 * {@code ferry_schema} table in PostgreSQL ({@link PostgresJobStore}). Both databases run the same steps
 * ({@link #migration}), so the shapes are shared: plain types (TEXT, BIGINT, INTEGER, SMALLINT), enum names stored as
 * TEXT, booleans as 0/1, "no lease" as {@code lease_owner IS NULL}, partial indexes (PostgreSQL has them
 * too). SQLite dialect: the pragmas and {@code WITHOUT ROWID} here, and in the queries {@code INDEXED BY}
 * and numbered parameters ({@code ?1}).
 *
 * <p>Counter invariant: {@code jobs.done_count, failed_count, invalid_count, retryable_count} always equal
 * a recount of the job's {@code outcomes}, plus, for {@code done_count}, the sum of
 * {@code chunks.implied_done} (DONE rows of sealed chunks that have no ledger row of their own). They are
 * written only by {@link SqlJobStore#recordOutcomes} and {@link SqlJobStore#sealChunk}, in the same
 * transaction as the ledger rows (and reset when the job is deleted with its ledger).
 *
 * <p>Not threadsafe: called once by a store's {@code open} before the store is shared.
 */
final class Schema {
  /** Version written to {@code PRAGMA user_version}; bump with a migration step when a shape changes. */
  static final int VERSION = 5;

  private static final List<String> V1 = List.of(
      """
      CREATE TABLE IF NOT EXISTS jobs (
        id              TEXT    NOT NULL PRIMARY KEY,
        kind            TEXT    NOT NULL,
        input_path      TEXT    NOT NULL,
        input_size      BIGINT  NOT NULL,
        input_sha256    TEXT    NOT NULL,
        total_rows      BIGINT  NOT NULL,
        chunk_size      INTEGER NOT NULL,
        config          TEXT    NOT NULL,
        status          TEXT    NOT NULL,
        message         TEXT    NOT NULL,
        created_at      BIGINT  NOT NULL,
        updated_at      BIGINT  NOT NULL,
        done_count      BIGINT  NOT NULL DEFAULT 0,
        failed_count    BIGINT  NOT NULL DEFAULT 0,
        invalid_count   BIGINT  NOT NULL DEFAULT 0,
        retryable_count BIGINT  NOT NULL DEFAULT 0
      )""",
      """
      CREATE TABLE IF NOT EXISTS chunks (
        job_id           TEXT    NOT NULL,
        idx              INTEGER NOT NULL,
        byte_offset      BIGINT  NOT NULL,
        first_line       BIGINT  NOT NULL,
        first_row        BIGINT  NOT NULL,
        row_count        INTEGER NOT NULL,
        state            TEXT    NOT NULL,
        lease_owner      TEXT,
        lease_expires_at BIGINT  NOT NULL DEFAULT 0,
        PRIMARY KEY (job_id, idx)
      )""",
      // claimChunk: lowest PENDING index, or the LEASED ones to test for expiry.
      "CREATE INDEX IF NOT EXISTS chunks_by_state ON chunks (job_id, state, idx)",
      """
      CREATE TABLE IF NOT EXISTS outcomes (
        job_id      TEXT     NOT NULL,
        row         BIGINT   NOT NULL,
        chunk       INTEGER  NOT NULL,
        line        BIGINT   NOT NULL,
        outcome     TEXT     NOT NULL,
        retryable   SMALLINT NOT NULL,
        key         TEXT     NOT NULL,
        step        TEXT     NOT NULL,
        http_status INTEGER  NOT NULL,
        code        TEXT     NOT NULL,
        message     TEXT     NOT NULL,
        request_id  TEXT     NOT NULL,
        note        TEXT     NOT NULL,
        PRIMARY KEY (job_id, row)
      ) WITHOUT ROWID""",
      // No (job_id, chunk) index: a chunk's rows are exactly the key range [first_row, first_row + row_count)
      // of the primary key, which settledRows reads directly. Such an index would only be written, never
      // read, and costs a fifth of the ledger's write throughput and a quarter of its size.
      // Partial indexes stay tiny while most rows are DONE: forEachProblem reads only problem rows,
      // recordOutcomes and reopenRetryable only retryable failures.
      "CREATE INDEX IF NOT EXISTS outcomes_problems ON outcomes (job_id, row) WHERE outcome <> 'DONE'",
      """
      CREATE INDEX IF NOT EXISTS outcomes_retryable ON outcomes (job_id, row)
        WHERE outcome = 'FAILED' AND retryable = 1""",
      """
      CREATE TABLE IF NOT EXISTS lookups (
        job_id    TEXT NOT NULL,
        namespace TEXT NOT NULL,
        key       TEXT NOT NULL,
        value     TEXT NOT NULL,
        PRIMARY KEY (job_id, namespace, key)
      )""");

  /**
   * Version 2: {@code chunks.implied_done}, the rows of a sealed chunk that are DONE without a ledger row
   * (dry runs write no row per DONE row). 0 for every chunk of a version 1 file, which is exactly right.
   */
  private static final List<String> V2 = List.of(
      "ALTER TABLE chunks ADD COLUMN implied_done INTEGER NOT NULL DEFAULT 0");

  /**
   * Version 3: {@code processes}, one row per process working on a job, with the expiry of its last
   * heartbeat ({@link dev.ferry.core.spi.JobStore#heartbeat}); the live count splits the job's rate limit.
   */
  private static final List<String> V3 = List.of(
      """
      CREATE TABLE IF NOT EXISTS processes (
        job_id     TEXT   NOT NULL,
        process_id TEXT   NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (job_id, process_id)
      )""");

  /**
   * Version 4: {@code chunks.source_position}, the source's opaque position of a chunk
   * ({@link dev.ferry.core.spi.ChunkSpec#position}: the planned keys of a SQL source's chunk). Empty for every
   * chunk of a version 3 file, which is exactly right: those jobs read files, whose position is the byte offset.
   */
  private static final List<String> V4 = List.of(
      "ALTER TABLE chunks ADD COLUMN source_position TEXT NOT NULL DEFAULT ''");

  /**
   * Version 5: {@code jobs.progress_at}, when a write last settled a row ({@link
   * dev.ferry.core.spi.JobStore#progressAtMillis}): {@code ferry status} shows it, since {@code updated_at} is the last
   * status change. 0 for every job of a version 4 file: "not known", shown as such.
   */
  private static final List<String> V5 = List.of(
      "ALTER TABLE jobs ADD COLUMN progress_at BIGINT NOT NULL DEFAULT 0");

  /** The steps by version: {@code STEPS.get(v - 1)} takes a schema from version {@code v - 1} to {@code v}. */
  private static final List<List<String>> STEPS = List.of(V1, V2, V3, V4, V5);

  private Schema() {}

  /** The statements that take a schema at version {@code from} to {@link #VERSION}, in the dialect. */
  static List<String> migration(int from, Dialect dialect) {
    List<String> ddl = new java.util.ArrayList<>();
    for (int v = from + 1; v <= VERSION; v++) {
      for (String statement : STEPS.get(v - 1)) {
        ddl.add(dialect == Dialect.SQLITE ? statement : statement.replace(" WITHOUT ROWID", ""));
      }
    }
    return ddl;
  }

  /**
   * Creates the tables when the file is new, migrates an older file step by step; accepts a file already at
   * {@link #VERSION}.
   *
   * @throws SchemaVersionException when the file was written by a newer ferry
   */
  static void ensure(Connection connection) throws SQLException {
    int version = userVersion(connection);
    if (version == VERSION) {
      return;
    }
    if (version > VERSION) {
      throw new SchemaVersionException(version);
    }
    try (Statement st = connection.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      try {
        // Re-read under the write lock: another process may have created the schema meanwhile.
        int current = userVersion(connection);
        for (String ddl : migration(current, Dialect.SQLITE)) {
          st.execute(ddl);
        }
        if (current < VERSION) {
          st.execute("PRAGMA user_version = " + VERSION);
        }
        st.execute("COMMIT");
      } catch (SQLException | RuntimeException e) {
        st.execute("ROLLBACK");
        throw e;
      }
    }
  }

  /** Advisory lock taken while a PostgreSQL schema is created or migrated ("ferr"). */
  private static final long PG_LOCK = 0x66657272L;

  /**
   * As {@link #ensure} for PostgreSQL, in the connection's current schema; the version is the one row of
   * {@code ferry_schema}. One transaction under an advisory lock, so processes opening the store at once
   * neither race on {@code CREATE TABLE IF NOT EXISTS} nor migrate twice; PostgreSQL's DDL is transactional,
   * so a failed migration leaves the schema as it was. The connection must not be in auto-commit mode.
   *
   * @throws SchemaVersionException when the schema was written by a newer ferry
   */
  static void ensurePostgres(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("SELECT pg_advisory_xact_lock(" + PG_LOCK + ")");
      st.execute("CREATE TABLE IF NOT EXISTS ferry_schema (version INTEGER NOT NULL)");
      int current;
      try (ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM ferry_schema")) {
        current = rs.next() ? rs.getInt(1) : 0;
      }
      if (current > VERSION) {
        throw new SchemaVersionException(current);
      }
      if (current < VERSION) {
        for (String ddl : migration(current, Dialect.POSTGRES)) {
          st.execute(ddl);
        }
        st.execute("DELETE FROM ferry_schema");
        st.execute("INSERT INTO ferry_schema (version) VALUES (" + VERSION + ")");
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    }
  }

  static int userVersion(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  /** The database file has a schema newer than this build understands. */
  static final class SchemaVersionException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int found;

    SchemaVersionException(int found) {
      super("schema version " + found + ", this ferry understands up to " + VERSION);
      this.found = found;
    }
  }
}
