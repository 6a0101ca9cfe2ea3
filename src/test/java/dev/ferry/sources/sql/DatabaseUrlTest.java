package dev.ferry.sources.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** DATABASE_URL as platforms write it ({@code postgres://user:password@host/db}) becomes a JDBC URL. */
class DatabaseUrlTest {
  @Test
  void aPostgresUrlBecomesItsJdbcUrlWithTheCredentialsApart() {
    DatabaseUrl u = DatabaseUrl.of("postgres://app%40corp:p%2Fw+d@db.example.com:6543/rag?sslmode=require");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/rag?sslmode=require");
    assertThat(u.user()).isEqualTo("app@corp");
    assertThat(u.password()).isEqualTo("p/w+d");
    assertThat(u.toString()).doesNotContain("p/w+d");
    assertThat(DatabaseUrl.of("postgresql://db/rag").jdbcUrl()).isEqualTo("jdbc:postgresql://db/rag");
    assertThat(DatabaseUrl.of("postgresql://db/rag").user()).isNull();
  }

  @Test
  void aMysqlUrlGoesToTheMariaDbDriverAndAJdbcUrlStaysAsItIs() {
    assertThat(DatabaseUrl.of("mysql://root@127.0.0.1:3306/test").jdbcUrl())
        .isEqualTo("jdbc:mariadb://127.0.0.1:3306/test");
    assertThat(DatabaseUrl.of("jdbc:postgresql://db/x?user=a&password=b"))
        .isEqualTo(new DatabaseUrl("jdbc:postgresql://db/x?user=a&password=b", null, null));
    assertThat(DatabaseUrl.of("jdbc:sqlite:/data/app.db").jdbcUrl()).isEqualTo("jdbc:sqlite:/data/app.db");
  }
}
