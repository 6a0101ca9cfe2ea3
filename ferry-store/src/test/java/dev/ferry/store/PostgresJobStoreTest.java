package dev.ferry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.spi.ChunkRecord;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.JobStoreContractTest;
import dev.ferry.core.spi.StoreException;
import dev.ferry.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
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
  void aVersion3SchemaIsMigratedKeepingItsJobs() {
    // Given a schema as version 3 wrote it (no chunks.source_position) with a planned job
    startJob("old", 2);
    store.close();
    TestPostgres.admin("ALTER TABLE " + schema.name() + ".chunks DROP COLUMN source_position");
    TestPostgres.admin("ALTER TABLE " + schema.name() + ".jobs DROP COLUMN progress_at");
    TestPostgres.admin("UPDATE " + schema.name() + ".ferry_schema SET version = 3");

    // When it is opened by this version
    try (JobStore again = PostgresJobStore.open(url())) {
      // Then the old chunks are file chunks and new plans keep their positions
      assertThat(again.chunks("old")).extracting(ChunkRecord::spec).containsExactlyElementsOf(plan(2));
      again.createJob(job("new", T0));
      again.completePlan("new", List.of(new ChunkSpec(0, 0, 1, 1, 3, "s:[\"a\"]")), 3, 3, "f", T0);
      assertThat(again.chunks("new")).extracting(c -> c.spec().position()).containsExactly("s:[\"a\"]");
      // and the jobs' progress times (version 5): unknown until a row settles
      assertThat(again.progressAtMillis("old")).isZero();
      again.recordOutcomes("old", List.of(done(1)));
      assertThat(again.progressAtMillis("old")).isPositive();
    }
    assertThat(adminQuery("SELECT version FROM " + schema.name() + ".ferry_schema")).isEqualTo(Schema.VERSION);
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
