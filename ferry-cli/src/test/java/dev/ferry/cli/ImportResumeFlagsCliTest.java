package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code import-users --resume JOB} continues the job as it was planned: the job's own flags are refused with it (they
 * were ignored silently, so {@code --resume JOB --dry-run} sent real requests for a real job).
 */
class ImportResumeFlagsCliTest {
  static final Map<String, String> ENV = Map.of("WORKOS_SECRET_KEY", "sk_test_x");

  @TempDir
  Path dir;

  @Test
  void theJobsOwnFlagsAreRefusedWithResumeAndRunFlagsAreNot() {
    String state = dir.resolve("state").toString();
    CliRun dry = CliRun.run(ENV, "import-users", "--resume", "j1", "--dry-run", "--checkpoint-dir", state);
    assertThat(dry.exit()).as(dry.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(dry.err()).startsWith("ferry: --dry-run is the job's, fixed when it was planned: --resume continues job"
        + " 'j1' as it was planned (a dry-run job dry, a real one for real)").contains("plan a new job with --dry-run");

    CliRun two = CliRun.run(ENV, "import-users", "--job-id", "j1", "--resume", "--csv", "other.csv", "--api-url",
        "http://127.0.0.1:1", "--checkpoint-dir", state);
    assertThat(two.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(two.err()).startsWith("ferry: --csv, --api-url are the job's, fixed when it was planned");

    CliRun run = CliRun.run(ENV, "import-users", "--resume", "j1", "--workers", "2", "--rate-limit", "10",
        "--checkpoint-dir", state);
    assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("no job 'j1'").doesNotContain("fixed when it was planned");
  }
}
