package dev.ferry.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The MariaDB that every machine of this kind runs (127.0.0.1:3306, user root, empty password, database
 * {@code test}), one fresh database per test. Without a server the test is skipped, unless {@code CI=true}: then it
 * fails (as {@link TestPostgres}).
 */
public final class TestMariaDb {
  public static final String BASE_URL = "jdbc:mariadb://127.0.0.1:3306/test?user=root";

  private TestMariaDb() {}

  /** Skips the calling test when MariaDB cannot be reached, or fails it when {@code CI} is {@code true}. */
  public static void requireReachable() {
    try (Connection c = DriverManager.getConnection(BASE_URL + "&connectTimeout=3000")) {
      if (!c.isValid(3)) throw new SQLException("the connection is not valid");
    } catch (SQLException e) {
      String why = "MariaDB at 127.0.0.1:3306 (database test, user root, empty password) is required and cannot"
          + " be reached: " + e.getMessage();
      if ("true".equals(System.getenv("CI"))) throw new AssertionError(why + " (CI=true: not skipped)", e);
      Assumptions.abort(why);
    }
  }

  /** A database of its own for one test (skipped or failed as {@link #requireReachable()}); drop it after. */
  public static Database freshDatabase(String prefix) {
    requireReachable();
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    admin("CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
    return new Database(name);
  }

  /** Runs one statement as root. */
  public static void admin(String sql) {
    try (Connection c = DriverManager.getConnection(BASE_URL); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** One test's database. */
  public record Database(String name) {
    /** The JDBC URL of this database. */
    public String url() {
      return "jdbc:mariadb://127.0.0.1:3306/" + name + "?user=root";
    }

    public void drop() {
      admin("DROP DATABASE IF EXISTS " + name);
    }
  }
}
