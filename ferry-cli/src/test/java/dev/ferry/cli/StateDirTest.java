package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.spi.JobStore;
import dev.ferry.testing.TestPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirTest {
  @TempDir
  Path dir;

  @Test
  void aJobIsRunningElsewhereExactlyWhileItsLockIsHeld() throws Exception {
    StateDir state = new StateDir(dir);
    assertThat(state.jobRunningElsewhere("j1")).as("never run: no lock file").isFalse();

    try (AutoCloseable lock = state.lockJob("j1")) {
      assertThat(state.jobRunningElsewhere("j1")).isTrue();
      assertThatThrownBy(() -> state.lockJob("j1")).isInstanceOf(ExitException.class)
          .hasMessageContaining("running in another ferry process");
    }

    assertThat(state.jobRunningElsewhere("j1")).as("lock released (as the OS does on kill -9)").isFalse();
    try (AutoCloseable again = state.lockJob("j1")) {
      assertThat(again).as("the probe left no lock behind").isNotNull();
    }
  }

  @Test
  void aPostgresUrlAsPlatformsWriteItIsTakenInItsJdbcForm() {
    // user and password become the driver's parameters, percent-encoded; other forms stay as given
    assertThat(StateDir.jdbc("postgres://app:p%40ss%2Fw@db.example.com:6543/ferry?sslmode=require"))
        .isEqualTo("jdbc:postgresql://db.example.com:6543/ferry?sslmode=require&user=app&password=p%40ss%2Fw");
    assertThat(StateDir.jdbc("postgresql://db/ferry")).isEqualTo("jdbc:postgresql://db/ferry");
    assertThat(StateDir.jdbc("jdbc:postgresql://db/ferry?user=a")).isEqualTo("jdbc:postgresql://db/ferry?user=a");
    assertThat(StateDir.jdbc("/var/lib/ferry/ferry.db")).isEqualTo("/var/lib/ferry/ferry.db");
    assertThat(StateDir.jdbc("mysql://root@db/ferry")).as("refused by the store, naming its scheme")
        .isEqualTo("mysql://root@db/ferry");
  }

  @Test
  void aPostgresUrlOpensTheSharedStore() {
    // Given a schema of its own on the PostgreSQL server, named by a postgres:// URL (as in DATABASE_URL)
    TestPostgres.Schema pg = TestPostgres.freshSchema("ferry_statedir");
    try {
      StateDir state = new StateDir(dir, "postgres://postgres@127.0.0.1:5432/test?currentSchema=" + pg.name());
      // Then it is a distributed store, and it opens
      assertThat(state.distributed()).isTrue();
      try (JobStore store = state.openStore()) {
        assertThat(store.findJob("none")).isEmpty();
      }
    } finally {
      pg.drop();
    }
  }
}
