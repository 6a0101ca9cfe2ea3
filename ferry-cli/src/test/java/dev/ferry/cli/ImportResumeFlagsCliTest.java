package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
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
    assertThat(two.err()).startsWith("ferry: --csv is the job's, fixed when it was planned"); // --api-url moves it

    CliRun run = CliRun.run(ENV, "import-users", "--resume", "j1", "--workers", "2", "--rate-limit", "10",
        "--checkpoint-dir", state);
    assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("no job 'j1'").doesNotContain("fixed when it was planned");
  }

  @Test
  void resumeWithAnotherJobIdIsRefusedNamingBothAndTheSameIdIsNot() {
    // Given no jobs at all: a refusal that names both ids comes before any look-up
    String state = dir.resolve("state").toString();

    // When --resume J --job-id K (K was ignored silently: J was resumed)
    CliRun two = CliRun.run(ENV, "import-users", "--resume", "j1", "--job-id", "k2", "--checkpoint-dir", state);

    // Then
    assertThat(two.exit()).as(two.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(two.errLines()).containsExactly("ferry: --resume j1 and --job-id k2 name two jobs: give the job to"
        + " resume once (--resume j1, or --resume --job-id k2)");

    // And the same id twice, or --resume --job-id J, goes on to the job (here: none)
    for (List<String> same : List.of(List.of("--resume", "j1", "--job-id", "j1"), List.of("--resume", "--job-id", "j1"),
        List.of("--job-id", "j1", "--resume"))) {
      List<String> args = new java.util.ArrayList<>(List.of("import-users"));
      args.addAll(same);
      args.addAll(List.of("--checkpoint-dir", state));
      CliRun run = CliRun.run(ENV, args);
      assertThat(run.exit()).as(same + "\n" + run).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err()).as(same.toString()).contains("no job 'j1'").doesNotContain("two jobs");
    }
  }
}
