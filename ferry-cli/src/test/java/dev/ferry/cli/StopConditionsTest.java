package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import dev.ferry.store.SqliteJobStore;
import dev.ferry.testing.ApiProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop conditions through the CLI, in this process: a refused key (401) or missing rights (403) stop the job at
 * once with one line and exit 3; a run of failures pauses it with exit 3; in every case {@code resume}
 * continues and the simulator ends with each user exactly once.
 */
class StopConditionsTest {
  static final String RIGHT_KEY = "sk_test_right_key";
  static final int ROWS = 30;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  SimServer sim;
  ApiProxy proxy;
  Path csv;

  @BeforeEach
  void start() throws IOException {
    sim = SimServer.start(SimConfig.builder().requiredKey(RIGHT_KEY).build());
    proxy = ApiProxy.start(sim.baseUrl());
    csv = users(dir.resolve("users.csv"), ROWS);
  }

  @AfterEach
  void stop() {
    proxy.close();
    sim.close();
  }

  @Test
  void aRefusedKeyStopsTheJobAtOnceWithOneLineAndResumeFinishesIt() throws Exception {
    // When: the import runs with the wrong key
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, "sk_test_wrong_key"), importArgs("auth", sim.baseUrl().toString()));

    // Then: one line naming the key, exit 3, nothing created, the job resumable
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(run.errLines()).containsExactly("ferry: job auth stopped: the target refused the API key (HTTP 401):"
        + " check WORKOS_SECRET_KEY or WORKOS_API_KEY (or --api-key-file) and --api-url");
    assertThat(status("auth")).isEqualTo(JobStatus.STOPPED);
    assertThat(sim.stats().usersCreated()).isZero();
    assertThat(sim.stats().unauthorized()).as("stops at once, not after every row").isLessThanOrEqualTo(4 * 10);

    // When: it is resumed with the right key
    CliRun resumed = CliRun.run(Map.of(ApiKeys.ENV, RIGHT_KEY), resumeArgs("auth"));

    // Then: every user exactly once
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.OK);
    assertExactlyOnce(ROWS);
  }

  @Test
  void aRefusedKeyWhilePrewarmingOrganizationsStopsTheSameWay() throws Exception {
    // When: the first call is the organization pre-warm
    List<String> args = importArgs("prewarm", sim.baseUrl().toString());
    args.addAll(List.of("--org-external-id", "acme", "--create-org-if-missing"));
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, "sk_test_wrong_key"), args);

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(run.errLines()).containsExactly("ferry: job prewarm stopped: the target refused the API key (HTTP 401):"
        + " check WORKOS_SECRET_KEY or WORKOS_API_KEY (or --api-key-file) and --api-url");
    assertThat(status("prewarm")).isEqualTo(JobStatus.STOPPED);

    // When
    CliRun resumed = CliRun.run(Map.of(ApiKeys.ENV, RIGHT_KEY), resumeArgs("prewarm"));

    // Then
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.OK);
    assertExactlyOnce(ROWS);
    assertThat(sim.stats().organizations()).isEqualTo(1);
    assertThat(sim.stats().memberships()).isEqualTo(ROWS);
  }

  @Test
  void missingRightsStopTheJobAtOnceWithOneLineAndResumeFinishesIt() throws Exception {
    // Given: an API that answers 403 to everything
    proxy.refuseWith(403);

    // When
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, RIGHT_KEY), importArgs("forbidden", proxy.baseUrl().toString()));

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(run.errLines()).containsExactly("ferry: job forbidden stopped: the API key lacks permission for POST"
        + " /user_management/users (HTTP 403): check the key's environment and rights");
    assertThat(status("forbidden")).isEqualTo(JobStatus.STOPPED);
    assertThat(report(run).path("done").asLong()).isZero();

    // When: the rights are fixed and the job resumed
    proxy.forward();
    CliRun resumed = CliRun.run(Map.of(ApiKeys.ENV, RIGHT_KEY), resumeArgs("forbidden"));

    // Then
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.OK);
    assertExactlyOnce(ROWS);
  }

  @Test
  void aRunOfTransientFailuresPausesTheJobAndResumeRetriesThem() throws Exception {
    // Given: an API that answers 500 to everything, and no retries
    proxy.refuseWith(500);
    List<String> args = importArgs("failing", proxy.baseUrl().toString());
    args.addAll(List.of("--max-consecutive-failures", "5", "--max-attempts", "1", "--workers", "1",
        "--concurrency", "1"));

    // When
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, RIGHT_KEY), args);

    // Then: paused after 5 failures, not 30; the line names the count and the last failure
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(run.errLines()).containsExactly("ferry: job failing stopped: 5 rows failed in a row (last: line 6,"
        + " create_user: refused by the test proxy); fix the cause and run 'ferry resume failing'");
    assertThat(status("failing")).isEqualTo(JobStatus.STOPPED);
    JsonNode report = report(run);
    assertThat(report.path("failed").asLong()).isEqualTo(5);
    assertThat(report.path("retryable_failed").asLong()).isEqualTo(5);
    assertThat(report.path("pending").asLong()).isEqualTo(ROWS - 5);

    // When: the API recovers and the job is resumed
    proxy.forward();
    CliRun resumed = CliRun.run(Map.of(ApiKeys.ENV, RIGHT_KEY), resumeArgs("failing"));

    // Then: the transient failures are retried with the rest
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.OK);
    assertExactlyOnce(ROWS);
  }

  @Test
  void aRunOfPermanentFailuresPausesTheJobAndResumeGoesOnWithTheRest() throws Exception {
    // Given: an API that refuses every row for good (422)
    proxy.refuseWith(422);
    List<String> args = importArgs("refused", proxy.baseUrl().toString());
    args.addAll(List.of("--max-consecutive-failures", "5", "--workers", "1", "--concurrency", "1"));

    // When
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, RIGHT_KEY), args);

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(run.errLines()).containsExactly("ferry: job refused stopped: 5 rows failed in a row"
        + " (last: line 6, create_user: refused by the test proxy); fix the cause and run 'ferry resume refused' for"
        + " the rows not sent yet (rows failed for good are not sent again: import them from the errors file once"
        + " fixed)");
    assertThat(report(run).path("failed").asLong()).isEqualTo(5);

    // When
    proxy.forward();
    CliRun resumed = CliRun.run(Map.of(ApiKeys.ENV, RIGHT_KEY), resumeArgs("refused"));

    // Then: the 5 permanent failures stay failed (they are in the errors file), the rest is imported
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.ROWS_FAILED);
    JsonNode after = report(resumed);
    assertThat(after.path("done").asLong()).isEqualTo(ROWS - 5);
    assertThat(after.path("failed").asLong()).isEqualTo(5);
    assertThat(after.path("pending").asLong()).isZero();
    assertThat(sim.stats().users()).isEqualTo(ROWS - 5);
    assertThat(sim.stats().duplicateCreations()).isZero();
  }

  static Path users(Path file, int rows) throws IOException {
    StringBuilder b = new StringBuilder("email,first_name\n");
    for (int i = 1; i <= rows; i++) b.append("user").append(i).append("@example.com,User ").append(i).append('\n');
    return Files.writeString(file, b);
  }

  private List<String> importArgs(String job, String apiUrl) {
    return new ArrayList<>(List.of("import-users", "--csv", csv.toString(), "--job-id", job, "--api-url", apiUrl,
        "--rate-limit", "none", "--quiet", "--json", "--checkpoint-dir", dir.resolve(".ferry").toString()));
  }

  private List<String> resumeArgs(String job) {
    return new ArrayList<>(List.of("resume", job, "--quiet", "--json", "--checkpoint-dir",
        dir.resolve(".ferry").toString()));
  }

  private JobStatus status(String job) {
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve(".ferry/ferry.db"))) {
      return store.findJob(job).map(JobRecord::status).orElseThrow();
    }
  }

  private static JsonNode report(CliRun run) throws IOException {
    return JSON.readTree(run.out());
  }

  private void assertExactlyOnce(int users) {
    SimStats s = sim.stats();
    assertThat(s.users()).isEqualTo(users);
    assertThat(s.usersCreated()).isEqualTo(users);
    assertThat(s.duplicateCreations()).isZero();
  }
}
