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
  void credentialsWrittenBeforeAnyDoubleSlashAreNeverShown() {
    assertThat(JdbcUrls.describe("jdbc:oracle:thin:scott/tiger@db:1521:orcl")).isEqualTo("oracle:thin:db:1521:orcl");
    assertThat(JdbcUrls.describe("jdbc:oracle:thin:scott/tiger@//db:1521/svc")).isEqualTo("oracle:thin://db:1521/svc");
    assertThat(JdbcUrls.describe("jdbc:sqlite:/data/me@home/app.db")).isEqualTo("sqlite:/data/me@home/app.db");
    assertThat(JdbcUrls.secrets("jdbc:oracle:thin:scott/tiger@db:1521:orcl")).containsExactly("tiger");
    assertThat(JdbcUrls.secrets("jdbc:oracle:thin:scott/tiger@//db:1521/svc")).containsExactly("tiger");
    assertThat(JdbcUrls.secrets("jdbc:sqlite:/data/me@home/app.db")).isEmpty();
  }

  @Test
  void secretsAreThePasswordsOfTheUrl() {
    assertThat(JdbcUrls.secrets("jdbc:postgresql://bob:hunter2@db/app?user=bob&Password=p%40ss&sslpassword=k"))
        .containsExactly("hunter2", "p%40ss", "k");
    assertThat(JdbcUrls.secrets("jdbc:sqlite:/data/app.db")).isEmpty();
    assertThat(JdbcUrls.secrets("jdbc:mariadb://db/test?user=root&password=")).isEmpty();
  }
}
