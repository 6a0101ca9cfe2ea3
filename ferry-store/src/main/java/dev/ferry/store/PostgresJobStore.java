package dev.ferry.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.core.spi.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distributed {@link dev.ferry.core.spi.JobStore}: the job lives in PostgreSQL, so processes on several
 * machines work on it at once. Same tables as the SQLite store ({@link Schema}), created in the URL's
 * current schema (e.g. {@code currentSchema=ferry}) when absent, and the same SPI code ({@link SqlJobStore}).
 *
 * <p>Distribution: a claim is {@code SELECT ... FOR UPDATE SKIP LOCKED} on the lowest PENDING chunk, then on
 * the lowest chunk whose lease has expired, and an update to LEASED in the same transaction, so claimers in
 * any number of processes pass over each other's chunks instead of queueing. Ledger writes of a job lock
 * the job row first ({@code FOR UPDATE}): they are serialised per job, which keeps the counters exact (as
 * SQLite's single writer does). A transaction that loses a deadlock or serialization race is run again, up
 * to {@value #ATTEMPTS} times in all.
 *
 * <p>Durability: a commit returns after PostgreSQL made it durable (its {@code synchronous_commit}).
 *
 * <p>Secrets: error messages and {@link #toString} name the server, database and schema only, never the
 * user, password or other parameters of the JDBC URL.
 *
 * <p>This class is threadsafe.
 */
public final class PostgresJobStore extends SqlJobStore {
  /*
   * Concurrency: a HikariCP pool of at most MAX_CONNECTIONS connections, all with auto-commit off at READ
   * COMMITTED. Each write or read borrows one connection for exactly one transaction (committed, or rolled
   * back on any exception) with statements prepared for that transaction only, and returns it; nothing of
   * a transaction is shared between threads. The pool bounds the connections one process holds however
   * many worker threads it runs: a thread beyond them waits for a free connection (up to
   * CONNECTION_TIMEOUT). `closed` only turns later calls into a clear IllegalStateException.
   */

  private static final Logger log = LoggerFactory.getLogger(PostgresJobStore.class);

  /** Connections per process: enough for the worker threads' short transactions, small for the server. */
  static final int MAX_CONNECTIONS = 10;
  /** How long a call waits for a free connection (or a new one) before failing. */
  static final long CONNECTION_TIMEOUT_MILLIS = 10_000;
  /** Runs of one transaction that lost a race (deadlock, serialization failure) before giving up. */
  static final int ATTEMPTS = 3;

  private final HikariDataSource pool;
  /** Server, database and schema, without credentials. */
  private final String location;
  private volatile boolean closed;

  private PostgresJobStore(HikariDataSource pool, String location) {
    super(Dialect.POSTGRES);
    this.pool = pool;
    this.location = location;
  }

  /**
   * Connects to {@code jdbcUrl} (e.g. {@code jdbc:postgresql://db:5432/ferry?user=ferry&currentSchema=jobs};
   * a password is best given in the URL's parameters, a {@code .pgpass} file or the {@code PGPASSWORD}
   * environment variable, as the driver reads them) and creates or migrates the tables.
   *
   * @throws IllegalArgumentException if {@code jdbcUrl} is not a {@code jdbc:postgresql:} URL
   * @throws StoreException when the server cannot be reached, refuses the login, or holds a schema written
   *     by a newer ferry
   */
  public static PostgresJobStore open(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl cannot be null");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): "
          + PostgresErrors.describe(jdbcUrl));
    }
    String location = PostgresErrors.describe(jdbcUrl);
    HikariConfig config = new HikariConfig();
    config.setPoolName("ferry-store");
    config.setJdbcUrl(jdbcUrl);
    config.setMaximumPoolSize(MAX_CONNECTIONS);
    config.setMinimumIdle(1);
    config.setAutoCommit(false);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
    // Keep bound values (emails, messages) out of the driver's error texts.
    config.addDataSourceProperty("logServerErrorDetail", "false");
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw PostgresErrors.wrap("open the job store", location, e);
    }
    try (Connection connection = pool.getConnection()) {
      Schema.ensurePostgres(connection);
    } catch (SQLException e) {
      pool.close();
      throw PostgresErrors.wrap("open the job store", location, e);
    } catch (Schema.SchemaVersionException e) {
      pool.close();
      throw new StoreException("cannot open the job store in " + location + ": it was written by a newer ferry ("
          + e.getMessage() + ")");
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    log.debug("opened job store {}", location);
    return new PostgresJobStore(pool, location);
  }

  /** The server, database and schema, without credentials (for messages). */
  public String location() {
    return location;
  }

  /** Closes the pool; idempotent. Later calls on the store throw {@link IllegalStateException}. */
  @Override
  public void close() {
    closed = true;
    pool.close();
  }

  @Override
  public String toString() {
    return "PostgresJobStore[" + location + "]";
  }

  // ------------------------------------------------------------------------------------------ plumbing

  @Override
  <T> T write(String operation, Work<T> work) {
    return transaction(operation, work);
  }

  /** A read is a transaction too (auto-commit is off); it changes nothing, so its commit costs nothing. */
  @Override
  <T> T read(String operation, Work<T> work) {
    return transaction(operation, work);
  }

  private <T> T transaction(String operation, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      if (closed) {
        throw new IllegalStateException("job store " + location + " is closed");
      }
      try (Connection connection = pool.getConnection(); Statements tx = new Statements(connection)) {
        try {
          T result = work.run(tx);
          connection.commit();
          return result;
        } catch (SQLException | RuntimeException | Error e) {
          rollback(connection, e);
          throw e;
        }
      } catch (SQLException e) {
        if (attempt < ATTEMPTS && PostgresErrors.isTransient(e)) {
          log.debug("{} lost a race ({}); running it again", operation, e.getSQLState());
          continue;
        }
        throw PostgresErrors.wrap(operation, location, e);
      }
    }
  }

  private static void rollback(Connection connection, Throwable cause) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e); // a broken connection: the pool discards it, the server has rolled back
    }
  }

  /** The prepared statements of one transaction, closed with it. Not threadsafe: one thread's transaction. */
  private final class Statements implements Tx, AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> prepared = new HashMap<>();

    Statements(Connection connection) {
      this.connection = connection;
    }

    @Override
    public PreparedStatement get(String sql) throws SQLException {
      PreparedStatement ps = prepared.get(sql);
      if (ps == null) {
        ps = connection.prepareStatement(dialect.sql(sql));
        prepared.put(sql, ps);
      }
      return ps;
    }

    @Override
    public void close() throws SQLException {
      for (PreparedStatement ps : prepared.values()) {
        ps.close();
      }
    }
  }
}
