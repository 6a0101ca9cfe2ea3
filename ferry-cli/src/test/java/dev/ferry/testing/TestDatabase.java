package dev.ferry.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An empty database of one kind for one test (SQLite file, PostgreSQL schema, MariaDB database), so tests of SQL
 * sources and sinks run the same code against each. Closing drops it.
 */
public interface TestDatabase extends AutoCloseable {
  /** The JDBC URL of the database (trust auth: no password needed). */
  String url();

  /** The kind, for test names. */
  String kind();

  /** Runs statements in order, each committed. */
  default void exec(String... sql) {
    try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
      for (String statement : sql) s.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  @Override
  void close();

  static TestDatabase sqlite(Path dir) {
    // a writer waiting for another one waits up to a minute (the default is 3 s): tests hold locks on purpose
    String url = "jdbc:sqlite:" + dir.resolve("source.db") + "?busy_timeout=60000";
    return new TestDatabase() {
      @Override public String url() { return url; }
      @Override public String kind() { return "sqlite"; }
      @Override public void close() {}
    };
  }

  static TestDatabase postgres() {
    TestPostgres.Schema schema = TestPostgres.freshSchema("ferry_sql");
    return new TestDatabase() {
      @Override public String url() { return schema.url(); }
      @Override public String kind() { return "postgresql"; }
      @Override public void close() { schema.drop(); }
    };
  }

  static TestDatabase mariadb() {
    TestMariaDb.Database db = TestMariaDb.freshDatabase("ferry_sql");
    return new TestDatabase() {
      @Override public String url() { return db.url(); }
      @Override public String kind() { return "mariadb"; }
      @Override public void close() { db.drop(); }
    };
  }
}
