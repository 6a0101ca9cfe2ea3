package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ChildFerry;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A spec job in distributed mode: one process plans and runs a JSONL spec in PostgreSQL, a second joins it with
 * 'ferry worker' (the secret from its own environment); every user lands once and both took rows — for a spec of
 * one request a row, and for one whose first step is a batch step.
 */
class SpecDistributedTest {
  static final String KEY = ImportUsersCliTest.KEY;
  static final Duration TIMEOUT = Duration.ofSeconds(120);

  @TempDir
  Path dir;
  private DistributedJob job;

  @BeforeEach
  void schema() {
    job = new DistributedJob(dir, "ferry_spec_it");
  }

  @AfterEach
  void cleanUp() {
    if (job != null) job.close();
  }

  @ParameterizedTest(name = "with a batch step: {0}")
  @ValueSource(booleans = {false, true})
  void twoProcessesShareASpecJobAndEveryRowLandsOnce(boolean withBatch) throws Exception {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(10))
        .build())) {
      Path input = SpecRunCliTest.users(dir, 600);
      Path spec = SpecRunCliTest.spec(dir);
      if (withBatch) Files.writeString(spec, SpecCrashTest.WITH_BATCH); // 8 rows a call, then one POST a row
      Map<String, String> env = SpecRunCliTest.env(dir, input, sim);
      ChildFerry first = job.start("first", env, "run", spec.toString(), "--job-id", "sd1", "--store", job.url(), "--chunk-size", "50",
          "--workers", "2", "--concurrency", "2", "--rate-limit", "60", "--progress", "never", "--report-json",
          dir.resolve("first.json").toString());
      first.await("the job to run", TIMEOUT, () -> job.status("sd1") == JobStatus.RUNNING
          && sim.stats().usersCreated() > 0);
      // the worker's environment holds the secret only: INPUT and RESULTS come from the job
      Map<String, String> workerEnv = Map.of("WORKOS_SECRET_KEY", KEY);
      ChildFerry second = job.start("second", workerEnv, "worker", "sd1", "--store", job.url(), "--workers", "2",
          "--concurrency", "2", "--progress", "never", "--report-json", dir.resolve("second.json").toString());

      assertThat(first.exitCode(TIMEOUT)).as(first.toString()).isEqualTo(1); // the malformed line
      assertThat(second.exitCode(TIMEOUT)).as(second.toString()).isIn(0, 1);
      assertThat(sim.stats().usersCreated()).isEqualTo(600);
      assertThat(sim.stats().duplicateCreations()).isZero();
      JsonNode a = Ferry.readJson(dir.resolve("first.json"));
      JsonNode b = Ferry.readJson(dir.resolve("second.json"));
      assertThat(b.path("rows_this_run").asLong()).as("the worker took chunks: " + first + "\n" + second).isPositive();
      assertThat(job.status("sd1")).isEqualTo(JobStatus.FINISHED);
      assertThat(SpecRunCliTest.resultRows(dir)).hasSize(600).doesNotHaveDuplicates();
      assertThat(a.toString() + b).doesNotContain(KEY);
      if (withBatch) { // every row went through its batch call: the batch's capture is in each row's results
        assertThat(Files.readAllLines(dir.resolve("results.jsonl")))
            .hasSize(600).allMatch(line -> line.contains("\"page\":{\"listed\":\"list\"}"));
        assertThat(sim.stats().requestsTo("GET /user_management/users")).isPositive();
      }
    }
  }
}
