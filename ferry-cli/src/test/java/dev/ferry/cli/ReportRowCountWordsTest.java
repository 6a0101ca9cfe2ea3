package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text report counts rows in plain words: "(1 row)", "(2 rows)", in its errors and throughput lines. */
class ReportRowCountWordsTest {
  @TempDir
  Path dir;

  @Test
  void oneRowInTheErrorsFileIsOneRow() throws Exception {
    // Given: one invalid row among three
    Path csv = Files.writeString(dir.resolve("users.csv"), "email\na@example.com\nnot-an-email\nb@example.com\n");

    // When
    CliRun run = importDryRun(csv, "one");

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    assertThat(run.out()).containsPattern("  errors      .*errors\\.csv \\(1 row\\)\\R");
  }

  @Test
  void oneRowThisRunIsOneRow() throws Exception {
    // Given: a file of one row
    Path csv = Files.writeString(dir.resolve("users.csv"), "email\na@example.com\n");

    // When
    CliRun run = importDryRun(csv, "single");

    // Then
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).containsPattern("  throughput  .* rows/s \\(1 row this run\\)\\R");
  }

  @Test
  void twoRowsAreRows() throws Exception {
    // Given: two invalid rows
    Path csv = Files.writeString(dir.resolve("users.csv"), "email\nnot-an-email\nb@example.com\nalso-not\n");

    // When
    CliRun run = importDryRun(csv, "two");

    // Then
    assertThat(run.out()).as(run.toString()).containsPattern("  errors      .*errors\\.csv \\(2 rows\\)\\R");
  }

  private CliRun importDryRun(Path csv, String job) {
    return CliRun.run(Map.of(), "import-users", "--csv", csv.toString(), "--job-id", job, "--dry-run", "--quiet",
        "--checkpoint-dir", dir.resolve(".ferry").toString());
  }
}
