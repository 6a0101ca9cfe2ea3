package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.core.spi.JobStore;
import dev.ferry.recipes.workos.ImportSettings;
import dev.ferry.spec.SpecSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job killed while it was being planned (kill -9 during planning: the job's row says {@code planning}, no
 * process holds its lock, nothing was sent): {@code ferry status} gives the command that plans it again, the one
 * {@code ferry resume} names when it refuses, never "run 'ferry resume'" (which refuses it). The store holds
 * exactly what such a kill leaves (the job created as {@code PLANNING} first thing in planning), built here
 * directly because no signal lands inside a planning pass deterministically.
 */
class PlanningInterruptedStatusTest {
  @TempDir
  Path dir;

  @Test
  void anImportKilledWhilePlanningIsToldToBePlannedAgainNotResumed() {
    // Given
    planning("imp", ImportSettings.KIND, dir.resolve("users.csv").toString());

    // When
    CliRun status = CliRun.run(Map.of(), "status", "imp", "--checkpoint-dir", dir.toString());
    CliRun resume = CliRun.run(Map.of(ApiKeys.ENV, "sk_test_x"), "resume", "imp", "--checkpoint-dir", dir.toString());

    // Then: status names the command resume asks for
    String again = "'ferry import-users --csv " + dir.resolve("users.csv") + " --job-id imp'";
    assertThat(status.exit()).as(status.toString()).isEqualTo(ExitCodes.OK);
    assertThat(status.out()).contains("job         imp (interrupted)")
        .contains("while it was planning; nothing was sent: start it again with " + again)
        .doesNotContain("ferry resume");
    assertThat(resume.exit()).as(resume.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(resume.err()).contains("start it again with " + again);
  }

  @Test
  void aSpecJobKilledWhilePlanningIsToldToRunItsSpecAgain() {
    // Given
    planning("sp", SpecSettings.KIND, dir.resolve("rows.jsonl").toString());

    // When
    CliRun status = CliRun.run(Map.of(), "status", "sp", "--checkpoint-dir", dir.toString());

    // Then
    assertThat(status.out()).contains("start it again with 'ferry run SPEC --job-id sp'")
        .doesNotContain("ferry resume");
  }

  @Test
  void aJobKilledWhileRunningIsStillToldToResume() {
    // Given
    planning("run", ImportSettings.KIND, dir.resolve("users.csv").toString());
    try (JobStore store = StateDir.of(dir, null, Map.of()).openStore()) {
      store.updateStatus("run", JobStatus.RUNNING, "", 2);
    }

    // When
    CliRun status = CliRun.run(Map.of(), "status", "run", "--checkpoint-dir", dir.toString());

    // Then
    assertThat(status.out()).contains("while it was running; run 'ferry resume run' to go on");
  }

  @Test
  void aStoppedJobIsToldHowToGoOn() {
    // Given: a job stopped by Ctrl-C
    planning("stopped", ImportSettings.KIND, dir.resolve("users.csv").toString());
    try (JobStore store = StateDir.of(dir, null, Map.of()).openStore()) {
      store.updateStatus("stopped", JobStatus.STOPPED, "interrupted (SIGINT)", 2);
    }

    // When
    CliRun status = CliRun.run(Map.of(), "status", "stopped", "--checkpoint-dir", dir.toString());

    // Then: the reason, then the command that goes on (as the run's own report ended)
    assertThat(status.out()).as(status.toString()).contains("message     interrupted (SIGINT)\n"
        + "note        once the cause is fixed, 'ferry resume stopped' goes on with it\n");
  }

  private void planning(String id, String kind, String input) {
    try (JobStore store = StateDir.of(dir, null, Map.of()).openStore()) {
      store.createJob(new JobRecord(id, kind, input, 0, "", 0, 100, "{}", JobStatus.PLANNING, "", 1, 1));
    }
  }
}
