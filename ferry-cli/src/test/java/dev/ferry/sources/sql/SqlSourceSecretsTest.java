package dev.ferry.sources.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.source.ChunkPlan;
import dev.ferry.core.source.InputException;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.store.SqliteJobStore;
import dev.ferry.testing.TestDatabase;
import dev.ferry.testing.TestMariaDb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials of a SQL source never reach messages, {@code describe()}, {@code toString} or the job store. */
class SqlSourceSecretsTest {
  private static final String CANARY = "canary-pw-7f3a9";

  @TempDir
  Path dir;

  @Test
  void aPlannedJobHoldsNoCredentialsAnywhereInTheStore() throws Exception {
    // Given PostgreSQL (trust auth: the password in the URL is accepted and ignored) and a planned job
    try (TestDatabase db = TestDatabase.postgres()) {
      db.exec("CREATE TABLE documents (id BIGINT PRIMARY KEY, title TEXT)",
          "INSERT INTO documents VALUES (1, 'a'), (2, 'b'), (3, 'c')");
      SqlSourceConfig config = new SqlSourceConfig(db.url() + "&password=" + CANARY,
          "SELECT id, title FROM documents", "id", "postgres", CANARY + "-field");
      SqlSource source = new SqlSource(config);
      ChunkPlan plan = source.plan(2, r -> {});
      Path file = dir.resolve("ferry.db");
      try (SqliteJobStore store = SqliteJobStore.open(file)) {
        store.createJob(new JobRecord("j", "spec", source.describe(), 0, "", 0, 2, "{}", JobStatus.PLANNING, "", 1,
            1));
        store.completePlan("j", plan.chunks(), plan.totalRows(), plan.fileSize(), plan.sha256Hex(), 2);
      }

      // When / Then: neither the store's files, nor what the source says, hold the password
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).doesNotContain(CANARY);
        }
      }
      assertThat(source.describe()).doesNotContain(CANARY).doesNotContain("postgres@").startsWith("postgresql://");
      assertThat(source.toString()).doesNotContain(CANARY);
      assertThat(config.toString()).doesNotContain(CANARY).contains("password=***");
      assertThatThrownBy(() -> new SqlSource(new SqlSourceConfig(db.url() + "&password=" + CANARY,
          "SELECT id, nope FROM documents", "id")).plan(2, r -> {}))
          .isInstanceOf(InputException.class).hasMessageContaining("nope").hasMessageNotContaining(CANARY);
    }
  }

  @Test
  void aRefusedLoginNamesTheDatabaseButNotThePassword() {
    // Given MariaDB's root, which has no password: any password is refused
    TestMariaDb.requireReachable();
    SqlSource withField = new SqlSource(new SqlSourceConfig("jdbc:mariadb://127.0.0.1:3306/test",
        "SELECT 1 AS id", "id", "root", CANARY));
    SqlSource inUrl = new SqlSource(new SqlSourceConfig("jdbc:mariadb://root:" + CANARY + "@127.0.0.1:3306/test"
        + "?user=root&password=" + CANARY, "SELECT 1 AS id", "id"));

    // When / Then
    for (SqlSource source : new SqlSource[] {withField, inUrl}) {
      assertThatThrownBy(() -> source.plan(10, r -> {})).isInstanceOf(InputException.class)
          .hasMessageStartingWith("cannot read the keys of the query in mariadb://127.0.0.1:3306/test: ")
          .hasMessageNotContaining(CANARY)
          .hasNoCause(); // the driver's exception quotes the URL, password included
    }
  }

  @Test
  void anUnreachableServerIsAnInputErrorWithoutThePassword() {
    SqlSource source = new SqlSource(new SqlSourceConfig("jdbc:postgresql://127.0.0.1:1/test?user=alice&password="
        + CANARY + "&connectTimeout=2", "SELECT id FROM documents", "id"));
    assertThatThrownBy(() -> source.plan(10, r -> {})).isInstanceOf(InputException.class)
        .hasMessageStartingWith("cannot read the keys of the query in postgresql://127.0.0.1:1/test: ")
        .hasMessageContaining("SQLState 08").hasMessageNotContaining(CANARY).hasMessageNotContaining("alice");
    assertThat(source.describe()).isEqualTo("postgresql://127.0.0.1:1/test (key id): SELECT id FROM documents");
  }

  @Test
  void aUrlWithoutADriverIsNamedPlainly() {
    SqlSource source = new SqlSource(new SqlSourceConfig("jdbc:oracle:thin:scott/" + CANARY + "@db:1521/x",
        "SELECT 1 AS id", "id"));
    assertThatThrownBy(() -> source.plan(10, r -> {})).isInstanceOf(InputException.class)
        .hasMessageContaining("no JDBC driver for this URL").hasMessageContaining("oracle:thin:db:1521/x")
        .hasMessageNotContaining(CANARY);
    assertThat(source.describe()).doesNotContain(CANARY);
    assertThatThrownBy(() -> new SqlSource(new SqlSourceConfig("oracle://scott:" + CANARY + "@db/x", "SELECT 1",
        "id"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a database URL")
        .hasMessageNotContaining(CANARY);
  }

  @Test
  void aValueThatIsNoDatabaseUrlIsRefusedWithoutQuotingIt() {
    // a password pasted into DATABASE_URL, a web address: refused when the config is made, nothing of it said
    for (String url : new String[] {CANARY, "http://u:" + CANARY + "@db/x", "localhost:5432/" + CANARY}) {
      assertThatThrownBy(() -> new SqlSourceConfig(url, "SELECT 1", "id"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("not a database URL: expected jdbc:postgresql://host/db")
          .hasMessageNotContaining(CANARY);
    }
    assertThatThrownBy(() -> new SqlSourceConfig("http://u:" + CANARY + "@db/x", "SELECT 1", "id"))
        .hasMessageContaining("found a http:// URL");
  }

  @Test
  void aPostgresUrlWithCredentialsIsReadWithoutShowingThePassword() {
    SqlSource source = new SqlSource(new SqlSourceConfig("postgres://alice:" + CANARY + "@127.0.0.1:1/test"
        + "?connectTimeout=2", "SELECT id FROM documents", "id"));
    assertThatThrownBy(() -> source.plan(10, r -> {})).isInstanceOf(InputException.class)
        .hasMessageStartingWith("cannot read the keys of the query in postgresql://127.0.0.1:1/test: ")
        .hasMessageNotContaining(CANARY);
    assertThat(source.describe()).isEqualTo("postgresql://127.0.0.1:1/test (key id): SELECT id FROM documents");
    assertThat(source.toString()).doesNotContain(CANARY);
  }
}
