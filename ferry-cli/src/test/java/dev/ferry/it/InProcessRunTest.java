package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** A run inside a longer-lived JVM leaves the JVM as it found it. */
@SuppressWarnings("removal")
class InProcessRunTest {
  @TempDir
  Path dir;

  @Test
  void aRunPutsBackTheSignalHandlersItFound() throws Exception {
    // Given: handlers of the embedding JVM
    SignalHandler mine = sig -> { };
    SignalHandler oldInt = Signal.handle(new Signal("INT"), mine);
    SignalHandler oldTerm = Signal.handle(new Signal("TERM"), mine);
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).build())) {
      Path csv = dir.resolve("users.csv");
      UserCsvGenerator.write(csv, 10, 0);

      // When
      Ferry.Run run = Ferry.run(ImportUsersCliTest.ENV, Ferry.args("import-users", "--csv", csv, "--api-url",
          sim.baseUrl(), "--checkpoint-dir", dir.resolve("state"), "--job-id", "sig", "--quiet"));

      // Then: before the fix, Ctrl-C/SIGTERM still went to the finished run's handler and no longer ended the JVM
      assertThat(run.exit()).as(run.toString()).isZero();
      assertThat(Signal.handle(new Signal("INT"), oldInt)).isSameAs(mine);
      assertThat(Signal.handle(new Signal("TERM"), oldTerm)).isSameAs(mine);
    } finally {
      Signal.handle(new Signal("INT"), oldInt);
      Signal.handle(new Signal("TERM"), oldTerm);
    }
  }
}
