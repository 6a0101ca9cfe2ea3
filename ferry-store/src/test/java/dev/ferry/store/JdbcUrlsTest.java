package dev.ferry.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdbcUrlsTest {
  @Test
  void describeNamesTheDatabaseOnly() {
    assertThat(JdbcUrls.describe("jdbc:mariadb://root:pw@127.0.0.1:3306/test?password=x&useSsl=false"))
        .isEqualTo("mariadb://127.0.0.1:3306/test");
    assertThat(JdbcUrls.describe("jdbc:sqlite:/data/app.db?open_mode=1")).isEqualTo("sqlite:/data/app.db");
    assertThat(JdbcUrls.describe("jdbc:sqlserver://db:1433;user=sa;password=pw")).isEqualTo("sqlserver://db:1433");
  }

  @Test
  void secretsAreThePasswordsOfTheUrl() {
    assertThat(JdbcUrls.secrets("jdbc:postgresql://bob:hunter2@db/app?user=bob&Password=p%40ss&sslpassword=k"))
        .containsExactly("hunter2", "p%40ss", "k");
    assertThat(JdbcUrls.secrets("jdbc:sqlite:/data/app.db")).isEmpty();
    assertThat(JdbcUrls.secrets("jdbc:mariadb://db/test?user=root&password=")).isEmpty();
  }
}
