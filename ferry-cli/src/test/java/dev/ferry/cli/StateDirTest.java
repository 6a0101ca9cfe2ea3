package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
