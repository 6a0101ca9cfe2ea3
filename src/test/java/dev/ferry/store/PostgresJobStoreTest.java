package dev.ferry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.JobStoreContractTest;
import dev.ferry.core.spi.StoreException;
import dev.ferry.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract against PostgreSQL at 127.0.0.1:5432 (database {@code test}, user {@code postgres}), each test
 * in a fresh schema {@code ferry_test_<random>} that is dropped afterwards. Skipped when the server cannot be
 * reached, except with {@code CI=true}, where that is a failure.
 */
class PostgresJobStoreTest extends JobStoreContractTest {
  private TestPostgres.Schema schema;

  @BeforeAll
  static void requirePostgres() {
    TestPostgres.requireReachable();
  }

  @Override
  protected JobStore newStore() {
    if (schema == null) {
      schema = TestPostgres.freshSchema("ferry_test");
    }
    return PostgresJobStore.open(url());
  }

  private String url() {
    return schema.url();
  }

  @AfterEach
  void dropSchema() {
    if (schema != null) {
      schema.drop();
    }
  }

  @Test
  void theSchemaVersionIsRecordedAndANewerOneIsRefused() {
    // Given
    store.close();
    assertThat(adminQuery("SELECT version FROM " + schema.name() + ".ferry_schema")).isEqualTo(Schema.VERSION);
    TestPostgres.admin("UPDATE " + schema.name() + ".ferry_schema SET version = " + (Schema.VERSION + 1));

    // When / Then
    assertThatThrownBy(() -> PostgresJobStore.open(url())).isInstanceOf(StoreException.class)
        .hasMessageContaining("written by a newer ferry").hasMessageContaining(schema.name());
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
    assertThat(store.toString()).isEqualTo("PostgresJobStore[postgresql://127.0.0.1:5432/test (schema " + schema.name()
        + ")]");
  }

  private static int adminQuery(String sql) {
    try (Connection c = DriverManager.getConnection(TestPostgres.BASE_URL); Statement st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
