package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ChildFerry;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.sim.RateAlgorithm;
import dev.ferry.sim.RateHeaders;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A limit learned from the target's rate-limit headers, shared by the two processes of a distributed job: one process
 * plans and runs the job in PostgreSQL with {@code --rate-limit auto}, a second joins it with {@code ferry worker},
 * both against one simulator that states its quota in headers. Each paces its share of what the headers say is left
 * (RateShare's count), so together they spend the quota once: every row lands once, and the 429s after the run's
 * first second stay within {@link #REFUSALS_BOUND}. Needs PostgreSQL at 127.0.0.1:5432 (skipped without it, a failure
 * with CI=true: {@link DistributedJob}).
 *
 * <p>Why these figures hold on a loaded 2-core host: 40 writes/s in windows of 2 s (80 a window) is far below what
 * either process could send (10 requests in flight at 20 ms), so the pace, not the host, decides the rate, and a
 * scheduling stall of tens of milliseconds shifts a few requests within a window of 2 s rather than over its budget;
 * 1,000 rows at the limit take 25 s, so the two processes overlap for many windows (each report's {@code processes}
 * proves the overlap). What the sharing still lets through is a stall's: a host that stalls a process (the joiner's
 * JVM starting on the same 2 cores) makes the server count its requests late and bunched, and each process's pace
 * sees the late counts only at its next answers. Measured here (session 8, loaded host, provisional): 0 to 3
 * refusals after the first second with the share, 16 to 19 with each process pacing the whole quota (as before it);
 * the bound sits between, with room on both sides. Nothing here reads a wall clock: the assertions are on counts.
 */
class DistributedRateLearningTest {
  static final String KEY = "sk_test_ferry_it";
  static final Map<String, String> ENV = Map.of("WORKOS_SECRET_KEY", KEY);
  static final Duration TIMEOUT = Duration.ofSeconds(120);
  static final int ROWS = 1000;
  /** 429s tolerated after the run's first second: a stall's few (see the class comment). */
  static final long REFUSALS_BOUND = 8;

  @TempDir
  Path dir;
  private DistributedJob job;

  @BeforeEach
  void schema() {
    job = new DistributedJob(dir, "ferry_share_it");
  }

  @AfterEach
  void cleanUp() {
    if (job != null) job.close();
  }

  private static SimServer sim(RateAlgorithm algorithm, RateHeaders headers) {
    return SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(40)
        .rateWindow(Duration.ofSeconds(2)).rateAlgorithm(algorithm).rateHeaders(headers)
        .latency(Duration.ofMillis(20)).build());
  }

  @ParameterizedTest(name = "{0}, headers {1}")
  // one way of counting end to end (25 s a run); the others' arithmetic is SharedQuotaScenarioTest's and QuotaPaceTest's
  @CsvSource({"SLIDING_WINDOW, OPENAI"})
  void twoImportProcessesShareTheLearnedLimit(RateAlgorithm algorithm, RateHeaders headers) throws Exception {
    try (SimServer sim = sim(algorithm, headers)) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, ROWS, 0);

      // Given one process that plans and runs the job, told nothing but to learn the limit
      ChildFerry first = job.start("first", ENV, "import-users", "--csv", users.toString(), "--job-id", "r1",
          "--chunk-size", "25", "--api-url", sim.baseUrl().toString(), "--store", job.url(), "--workers", "2",
          "--concurrency", "5", "--rate-limit", "auto", "--progress", "never", "--report-json",
          dir.resolve("first.json").toString());
      first.await("the job to run", TIMEOUT, () -> job.status("r1") == JobStatus.RUNNING
          && sim.stats().usersCreated() > 0);

      // When a worker joins it (the job keeps 'auto')
      ChildFerry second = job.start("second", ENV, "worker", "r1", "--store", job.url(), "--workers", "2",
          "--concurrency", "5", "--progress", "never", "--report-json", dir.resolve("second.json").toString());

      // Then both end well, every user exists once, both ran at once, and the quota was not overrun
      assertThat(first.exitCode(TIMEOUT)).as(first.toString()).isZero();
      assertThat(second.exitCode(TIMEOUT)).as(second.toString()).isZero();
      assertThat(sim.stats().users()).isEqualTo(ROWS);
      assertThat(sim.stats().usersCreated()).isEqualTo(ROWS);
      assertThat(sim.stats().duplicateCreations()).isZero();
      assertShared(sim, first, second);
    }
  }

  @Test
  void twoSpecProcessesShareTheLearnedLimit() throws Exception {
    try (SimServer sim = sim(RateAlgorithm.SLIDING_WINDOW, RateHeaders.IETF)) {
      Path input = dir.resolve("users.jsonl");
      List<String> lines = new ArrayList<>();
      for (int i = 1; i <= ROWS; i++) {
        lines.add("{\"email\":\"user" + i + "@example.com\",\"first_name\":\"F" + i + "\",\"last_name\":\"L\"}");
      }
      Files.write(input, lines);
      Path spec = SpecRunCliTest.spec(dir);
      Map<String, String> env = SpecRunCliTest.env(dir, input, sim);

      // Given a spec job whose one target's limit is learned ('--rate-limit auto' replaces the spec's)
      ChildFerry first = job.start("first", env, "run", spec.toString(), "--job-id", "r2", "--store", job.url(),
          "--chunk-size", "25", "--workers", "2", "--concurrency", "5", "--rate-limit", "auto", "--progress",
          "never", "--report-json", dir.resolve("first.json").toString());
      first.await("the job to run", TIMEOUT, () -> job.status("r2") == JobStatus.RUNNING
          && sim.stats().usersCreated() > 0);

      // When a worker joins it
      ChildFerry second = job.start("second", ENV, "worker", "r2", "--store", job.url(), "--workers", "2",
          "--concurrency", "5", "--progress", "never", "--report-json", dir.resolve("second.json").toString());

      // Then every row lands once and the two shared the learned limit
      assertThat(first.exitCode(TIMEOUT)).as(first.toString()).isZero();
      assertThat(second.exitCode(TIMEOUT)).as(second.toString()).isZero();
      assertThat(sim.stats().usersCreated()).isEqualTo(ROWS);
      assertThat(sim.stats().duplicateCreations()).isZero();
      assertThat(SpecRunCliTest.resultRows(dir)).hasSize(ROWS).doesNotHaveDuplicates();
      assertShared(sim, first, second);
    }
  }

  private void assertShared(SimServer sim, ChildFerry first, ChildFerry second) throws Exception {
    JsonNode a = Ferry.readJson(dir.resolve("first.json"));
    JsonNode b = Ferry.readJson(dir.resolve("second.json"));
    assertThat(a.path("rows_this_run").asLong() + b.path("rows_this_run").asLong()).isEqualTo(ROWS);
    assertThat(b.path("rows_this_run").asLong()).as("the worker took chunks").isPositive();
    String both = first + "\n" + second;
    assertThat(a.path("processes").asInt()).as("the first saw the worker: " + both).isEqualTo(2);
    assertThat(b.path("processes").asInt()).as("the worker saw the first: " + both).isEqualTo(2);
    assertThat(RateLearningCliTest.refusedAfterTheFirstSecond(sim))
        .as("429s after the first second: " + SimHttp.get(sim, "/__timeline")).isLessThanOrEqualTo(REFUSALS_BOUND);
  }
}
