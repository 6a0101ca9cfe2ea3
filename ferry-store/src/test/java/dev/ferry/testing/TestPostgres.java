package dev.ferry.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL that every machine of this kind runs (127.0.0.1:5432, trust auth, database {@code test}), one
 * fresh schema per test. Without a server the test is skipped, unless {@code CI=true}: then it fails.
 */
public final class TestPostgres {
  public static final String BASE_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  private TestPostgres() {}

  /** Skips the calling test when PostgreSQL cannot be reached, or fails it when {@code CI} is {@code true}. */
  public static void requireReachable() {
    try (Connection c = DriverManager.getConnection(BASE_URL + "&connectTimeout=3")) {
      if (!c.isValid(3)) throw new SQLException("the connection is not valid");
    } catch (SQLException e) {
      String why = "PostgreSQL at 127.0.0.1:5432 (database test, user postgres, trust auth) is required and cannot"
          + " be reached: " + e.getMessage();
      if ("true".equals(System.getenv("CI"))) throw new AssertionError(why + " (CI=true: not skipped)", e);
      Assumptions.abort(why);
    }
  }

  /** A schema of its own for one test (skipped or failed as {@link #requireReachable()}); drop it after. */
  public static Schema freshSchema(String prefix) {
    requireReachable();
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    admin("CREATE SCHEMA " + name);
    return new Schema(name);
  }

  /** Runs one statement as the server's admin. */
  public static void admin(String sql) {
    try (Connection c = DriverManager.getConnection(BASE_URL); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** One test's schema. */
  public record Schema(String name) {
    /** The JDBC URL whose tables live in this schema. */
    public String url() {
      return BASE_URL + "&currentSchema=" + name;
    }

    public void drop() {
      admin("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }
  }
}
