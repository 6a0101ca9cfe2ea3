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

  /** A schema of its own for one test; {@link Schema#drop()} removes it. */
  public static Schema freshSchema(String prefix) {
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(BASE_URL); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + name);
    } catch (SQLException e) {
      String why = "PostgreSQL at 127.0.0.1:5432 (database test, user postgres) is required: " + e.getMessage();
      if ("true".equals(System.getenv("CI"))) throw new AssertionError(why, e);
      Assumptions.abort(why);
    }
    return new Schema(name);
  }

  /** One test's schema. */
  public record Schema(String name) {
    /** The JDBC URL whose tables live in this schema. */
    public String url() {
      return BASE_URL + "&currentSchema=" + name;
    }

    public void drop() {
      try (Connection c = DriverManager.getConnection(BASE_URL); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
      } catch (SQLException e) {
        // the next run's schemas have other names
      }
    }
  }
}
