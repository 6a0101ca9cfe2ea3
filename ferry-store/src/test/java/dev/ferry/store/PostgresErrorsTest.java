package dev.ferry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.spi.StoreException;
import org.junit.jupiter.api.Test;

/** Messages of the PostgreSQL store: no server needed (port 1 refuses at once). */
class PostgresErrorsTest {
  @Test
  void anUnreachableServerGivesAClearMessageWithoutThePassword() {
    // Given: nothing listens on port 1
    String url = "jdbc:postgresql://127.0.0.1:1/ferry?user=alice&password=s3cret-pw&connectTimeout=2";

    // When / Then
    assertThatThrownBy(() -> PostgresJobStore.open(url)).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("cannot open the job store in postgresql://127.0.0.1:1/ferry: cannot connect")
        .hasMessageContaining("SQLState 08")
        .hasMessageNotContaining("s3cret-pw").hasMessageNotContaining("alice");
  }

  @Test
  void describeDropsCredentialsAndParametersButKeepsTheSchema() {
    assertThat(PostgresErrors.describe("jdbc:postgresql://bob:pw@db.internal:5432/jobs?password=x&currentSchema=f"))
        .isEqualTo("postgresql://db.internal:5432/jobs (schema f)");
    assertThat(PostgresErrors.describe("jdbc:postgresql://db/jobs")).isEqualTo("postgresql://db/jobs");
  }

  @Test
  void reasonsInPlainWords() {
    assertThat(PostgresErrors.reason("28P01")).contains("authentication failed");
    assertThat(PostgresErrors.reason("3D000")).isEqualTo("the database does not exist");
    assertThat(PostgresErrors.reason("08006")).contains("cannot connect");
    assertThat(PostgresErrors.reason(null)).isEqualTo("unexpected database error");
  }

  @Test
  void aUrlOfAnotherDatabaseIsRefused() {
    assertThatThrownBy(() -> PostgresJobStore.open("jdbc:mysql://db/x?password=pw"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:postgresql:")
        .hasMessageNotContaining("pw");
  }
}
