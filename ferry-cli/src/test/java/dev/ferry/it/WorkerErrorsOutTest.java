package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's {@code --errors-out} is its own run's: it writes the errors file there, and the job keeps the errors file
 * it was planned with, so a later {@code resume} (on another machine) writes there, not to the worker's path. Needs
 * PostgreSQL at 127.0.0.1:5432 (skipped without it, a failure with CI=true).
 */
class WorkerErrorsOutTest {
  static final Map<String, String> ENV = Map.of("WORKOS_SECRET_KEY", "sk_test_x");

  @TempDir
  Path dir;

  private DistributedJob job;

  @BeforeEach
  void schema() {
    job = new DistributedJob(dir, "ferry_werr");
  }

  @AfterEach
  void cleanUp() {
    if (job != null) job.close();
  }

  @Test
  void aWorkersErrorsOutIsItsOwnAndAResumeWritesTheJobsFile() throws Exception {
    // Given a dry-run job in PostgreSQL with one invalid row, planned with --errors-out planned.csv
    Path users = Files.writeString(dir.resolve("users.csv"), "email,first_name\na@example.com,A\nnot-an-email,B\n");
    Path planned = dir.resolve("planned.csv");
    Path workers = dir.resolve("worker.csv");
    Ferry.Run first = Ferry.run(ENV, Ferry.args("import-users", "--csv", users, "--job-id", "we1", "--dry-run",
        "--store", job.url(), "--checkpoint-dir", dir.resolve("a"), "--errors-out", planned, "--quiet"));
    assertThat(first.exit()).as(first.toString()).isEqualTo(1);
    assertThat(planned).content().contains("not-an-email");

    // When a worker joins it with its own --errors-out
    Ferry.Run worker = Ferry.run(ENV, Ferry.args("worker", "we1", "--store", job.url(), "--checkpoint-dir",
        dir.resolve("b"), "--errors-out", workers, "--quiet"));

    // Then the worker wrote its file
    assertThat(worker.exit()).as(worker.toString()).isEqualTo(1);
    assertThat(workers).content().contains("not-an-email");

    // and a later resume without --errors-out writes the job's file, not the worker's
    Files.delete(planned);
    Files.delete(workers);
    Ferry.Run resumed = Ferry.run(ENV, Ferry.args("resume", "we1", "--store", job.url(), "--checkpoint-dir",
        dir.resolve("c"), "--quiet"));
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(1);
    assertThat(planned).content().contains("not-an-email");
    assertThat(workers).doesNotExist();
  }
}
