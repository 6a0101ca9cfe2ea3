package dev.ferry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.JobStoreContractTest;
import dev.ferry.core.spi.StoreException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract against PostgreSQL at 127.0.0.1:5432 (database {@code test}, user {@code postgres}), each test
 * in a fresh schema {@code ferry_test_<random>} that is dropped afterwards. Skipped when the server cannot be
 * reached, except with {@code CI=true}, where that is a failure.
 */
class PostgresJobStoreTest extends JobStoreContractTest {
  static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
  private static final String ADMIN_URL = SERVER + "?user=postgres&connectTimeout=3";

  private String schema;

  @BeforeAll
  static void requirePostgres() {
    requireReachable();
  }

  /** Skips the calling test class when PostgreSQL is unreachable, or fails it when {@code CI} is {@code true}. */
  static void requireReachable() {
    try (Connection c = DriverManager.getConnection(ADMIN_URL)) {
      assertThat(c.isValid(3)).isTrue();
    } catch (SQLException e) {
      String what = "PostgreSQL at 127.0.0.1:5432 (database test, user postgres, trust auth) is required for the"
          + " PostgreSQL store tests and cannot be reached: " + e.getMessage();
      if ("true".equals(System.getenv("CI"))) {
        fail(what + " (CI=true: not skipped)");
      }
      assumeTrue(false, what);
    }
  }

  @Override
  protected JobStore newStore() {
    if (schema == null) {
      schema = createSchema();
    }
    return PostgresJobStore.open(url());
  }

  private String url() {
    return url(schema);
  }

  /** A new, empty schema {@code ferry_test_<random>}; drop it with {@link #dropSchema(String)}. */
  static String createSchema() {
    String name = "ferry_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    admin("CREATE SCHEMA " + name);
    return name;
  }

  static void dropSchema(String name) {
    admin("DROP SCHEMA " + name + " CASCADE");
  }

  /** The store URL of {@code schema} (trust auth: no password). */
  static String url(String schema) {
    return SERVER + "?user=postgres&currentSchema=" + schema;
  }

  @AfterEach
  void dropSchema() {
    if (schema != null) {
      dropSchema(schema);
    }
  }

  @Test
  void theSchemaVersionIsRecordedAndANewerOneIsRefused() {
    // Given
    store.close();
    assertThat(adminQuery("SELECT version FROM " + schema + ".ferry_schema")).isEqualTo(Schema.VERSION);
    admin("UPDATE " + schema + ".ferry_schema SET version = " + (Schema.VERSION + 1));

    // When / Then
    assertThatThrownBy(() -> PostgresJobStore.open(url())).isInstanceOf(StoreException.class)
        .hasMessageContaining("written by a newer ferry").hasMessageContaining(schema);
  }

  @Test
  void openingAnExistingSchemaAgainKeepsItsJobs() {
    // Given
    startJob("j", 2);

    // When
    try (JobStore again = PostgresJobStore.open(url())) {
      // Then
      assertThat(again.chunks("j")).hasSize(2);
    }
  }

  @Test
  void theLocationNamesServerDatabaseAndSchemaOnly() {
    assertThat(store.toString()).isEqualTo("PostgresJobStore[postgresql://127.0.0.1:5432/test (schema " + schema
        + ")]");
  }

  private static void admin(String sql) {
    try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private static int adminQuery(String sql) {
    try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
