package dev.ferry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.spi.JobStore;
import java.nio.file.Path;
import dev.ferry.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobStoresTest {
  @TempDir
  Path dir;

  @Test
  void aPathOpensASqliteFile() {
    // Given
    Path file = dir.resolve("state").resolve("ferry.db");

    // When
    try (JobStore store = JobStores.open(file.toString())) {
      // Then
      assertThat(store).isInstanceOf(SqliteJobStore.class);
      assertThat(((SqliteJobStore) store).file()).isEqualTo(file.toAbsolutePath());
    }
    assertThat(JobStores.isRemote(file.toString())).isFalse();
    assertThat(JobStores.isRemote("ferry.db")).isFalse();
  }

  @Test
  void aPostgresUrlIsRemote() {
    assertThat(JobStores.isRemote("jdbc:postgresql://db:5432/ferry?user=f")).isTrue();
  }

  @Test
  void aPostgresUrlOpensThePostgresStore() {
    // Given
    TestPostgres.Schema schema = TestPostgres.freshSchema("ferry_test");
    try {
      // When
      try (JobStore store = JobStores.open(schema.url())) {
        // Then
        assertThat(store).isInstanceOf(PostgresJobStore.class);
        assertThat(JobStores.isRemote(schema.url())).isTrue();
      }
    } finally {
      schema.drop();
    }
  }

  @Test
  void otherUrlsAreRefusedNamingWhatIsAcceptedAndNoCredentials() {
    for (String location : new String[] {"jdbc:mysql://db/x?password=pw", "postgres://u:pw@db/x", "jdbc:sqlite:x.db"}) {
      assertThatThrownBy(() -> JobStores.open(location)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("jdbc:postgresql://host:port/database").hasMessageContaining("SQLite file")
          .hasMessageNotContaining("pw");
    }
    assertThatThrownBy(() -> JobStores.isRemote(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
