package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ChildFerry;
import dev.ferry.core.spi.ChunkState;
import dev.ferry.core.spi.JobStatus;
import dev.ferry.recipes.workos.UserCsvGenerator;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed mode end to end: the job lives in PostgreSQL, real child processes run it against the simulator
 * over HTTP. Needs PostgreSQL at 127.0.0.1:5432 (skipped without it, a failure with CI=true).
 */
class DistributedCliTest {
  static final String KEY = "sk_test_ferry_it";
  static final Map<String, String> ENV = Map.of("WORKOS_SECRET_KEY", KEY);
  static final Duration TIMEOUT = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  private DistributedJob job;

  @BeforeEach
  void schema() {
    job = new DistributedJob(dir, "ferry_it");
  }

  @AfterEach
  void cleanUp() {
    if (job != null) job.close();
  }

  @Test
  void twoProcessesOnOneJobShareItAndEveryUserLandsOnce() throws Exception {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(60)
        .rateWindow(Duration.ofSeconds(1)).latency(Duration.ofMillis(10)).build())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 480, 0);

      // Given one process that plans and runs the job in PostgreSQL (~8 s at the limit)
      ChildFerry first = job.start("first", ENV, "import-users", "--csv", users.toString(), "--job-id", "d1", "--chunk-size",
          "50", "--api-url", sim.baseUrl().toString(), "--store", job.url(), "--workers", "2", "--concurrency", "5",
          "--rate-limit", "60", "--progress", "never", "--report-json", dir.resolve("first.json").toString());
      first.await("the job to run", TIMEOUT, () -> job.status("d1") == JobStatus.RUNNING
          && sim.stats().usersCreated() > 0);

      // When a worker joins it from another process (as from another machine: only the store is shared)
      ChildFerry second = job.start("second", ENV, "worker", "d1", "--store", job.url(), "--workers", "2", "--concurrency", "5",
          "--progress", "never", "--report-json", dir.resolve("second.json").toString());

      // Then both end well, every user exists once, and the rows were split between them
      assertThat(first.exitCode(TIMEOUT)).as(first.toString()).isZero();
      assertThat(second.exitCode(TIMEOUT)).as(second.toString()).isZero();
      assertThat(sim.stats().users()).isEqualTo(480);
      assertThat(sim.stats().duplicateCreations()).isZero();
      JsonNode a = Ferry.readJson(dir.resolve("first.json"));
      JsonNode b = Ferry.readJson(dir.resolve("second.json"));
      assertThat(a.path("rows_this_run").asLong() + b.path("rows_this_run").asLong()).isEqualTo(480);
      assertThat(b.path("rows_this_run").asLong()).as("the worker took chunks").isPositive();
      assertThat(b.path("processes").asInt()).as("the worker saw both processes").isEqualTo(2);
      assertThat(job.status("d1")).isEqualTo(JobStatus.FINISHED);
      // and the status is readable from the store alone, with no password in it
      Ferry.Run status = Ferry.run(Map.of(), Ferry.args("status", "d1", "--store", job.url(), "--json"));
      assertThat(status.exit()).as(status.toString()).isZero();
      assertThat(status.outJson().path("status").asText()).isEqualTo("finished");
    }
  }

  @Test
  void aKilledProcessesChunksAreTakenOverWhenItsLeaseRunsOut() throws Exception {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(40)
        .rateWindow(Duration.ofSeconds(1)).latency(Duration.ofMillis(10)).build())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 300, 0);

      // Given a process running the job with 2 s leases, killed with SIGKILL after some users were created
      ChildFerry first = job.start("first", ENV, "import-users", "--csv", users.toString(), "--job-id", "d2", "--chunk-size",
          "25", "--api-url", sim.baseUrl().toString(), "--store", job.url(), "--workers", "3", "--concurrency", "4",
          "--rate-limit", "40", "--lease", "2s", "--progress", "never");
      first.await("40 users", TIMEOUT, () -> sim.stats().usersCreated() >= 40);
      first.process.destroyForcibly(); // SIGKILL: its leases stay in the store
      first.process.waitFor();

      // When a worker joins the orphaned job
      ChildFerry second = job.start("second", ENV, "worker", "d2", "--store", job.url(), "--lease", "2s", "--workers", "3",
          "--concurrency", "4", "--progress", "never", "--json");

      // Then it takes the dead process's chunks over and every user exists exactly once
      assertThat(second.exitCode(TIMEOUT)).as(second.toString()).isZero();
      assertThat(sim.stats().users()).isEqualTo(300);
      assertThat(sim.stats().duplicateCreations()).isZero();
      assertThat(job.status("d2")).isEqualTo(JobStatus.FINISHED);
    }
  }

  @Test
  void aSurvivingProcessFinishesTheChunksOfAKilledOneByItself() throws Exception {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(40)
        .rateWindow(Duration.ofSeconds(1)).latency(Duration.ofMillis(10)).build())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 300, 0);

      // Given two processes on one job with 2 s leases: the first plans and runs it, a worker joins
      ChildFerry first = job.start("first", ENV, "import-users", "--csv", users.toString(), "--job-id", "d4",
          "--chunk-size", "10", "--api-url", sim.baseUrl().toString(), "--store", job.url(), "--workers", "1",
          "--concurrency", "4", "--rate-limit", "40", "--lease", "2s", "--progress", "never", "--report-json",
          dir.resolve("first.json").toString());
      first.await("the job to run", TIMEOUT, () -> job.status("d4") == JobStatus.RUNNING
          && sim.stats().usersCreated() > 0);
      ChildFerry second = job.start("second", ENV, "worker", "d4", "--store", job.url(), "--lease", "2s",
          "--workers", "4", "--concurrency", "4", "--progress", "never");

      // When the second is killed with SIGKILL while it holds chunks and none is left to claim (its leases stay in
      // the store, unrenewed, so the first finds nothing free until they run out)
      second.await("no chunk left to claim while the worker holds some", TIMEOUT,
          () -> !job.leasedBy(second, "d4").isEmpty()
              && job.chunks("d4").stream().noneMatch(c -> c.state() == ChunkState.PENDING));
      second.process.destroyForcibly();
      second.process.waitFor();
      List<Integer> orphaned = job.leasedBy(second, "d4");

      // Then the first, still running, waits for those chunks, takes them over when their leases run out and
      // finishes the whole job by itself
      assertThat(orphaned).as("chunks the killed worker held").isNotEmpty();
      assertThat(first.exitCode(TIMEOUT)).as(first.toString()).isZero();
      assertThat(sim.stats().users()).isEqualTo(300);
      assertThat(sim.stats().duplicateCreations()).isZero();
      assertThat(job.status("d4")).isEqualTo(JobStatus.FINISHED);
      assertThat(job.chunks("d4")).extracting(c -> c.state()).containsOnly(ChunkState.DONE);
      JsonNode a = Ferry.readJson(dir.resolve("first.json"));
      assertThat(a.path("status").asText()).isEqualTo("finished");
      assertThat(a.path("done").asLong()).isEqualTo(300);
      assertThat(a.path("chunks_taken_over").asInt()).as(first.toString()).isPositive();
    }
  }

  @Test
  void aWorkerStoppedBySigtermLeavesTheJobRunningAndTheOtherProcessTakesItsChunks() throws Exception {
    try (SimServer sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).writeRateLimit(40)
        .rateWindow(Duration.ofSeconds(1)).latency(Duration.ofMillis(10)).build())) {
      Path users = dir.resolve("users.csv");
      UserCsvGenerator.write(users, 300, 0);

      // Given two processes on one job
      ChildFerry first = job.start("first", ENV, "import-users", "--csv", users.toString(), "--job-id", "d5",
          "--chunk-size", "10", "--api-url", sim.baseUrl().toString(), "--store", job.url(), "--workers", "2",
          "--concurrency", "4", "--rate-limit", "40", "--lease", "2s", "--progress", "never");
      first.await("the job to run", TIMEOUT, () -> job.status("d5") == JobStatus.RUNNING
          && sim.stats().usersCreated() > 0);
      ChildFerry second = job.start("second", ENV, "worker", "d5", "--store", job.url(), "--lease", "2s",
          "--workers", "2", "--concurrency", "4", "--progress", "never");
      second.await("the worker to hold chunks", TIMEOUT, () -> !job.leasedBy(second, "d5").isEmpty()
          && sim.stats().usersCreated() >= 60);

      // When the second is stopped with SIGTERM (it releases its chunks) while the first goes on
      second.process.destroy();

      // Then the second says it was stopped, the job stays running for the first (not "stopped" by one process's
      // signal), and the first finishes it, the released chunks included
      assertThat(second.exitCode(TIMEOUT)).as(second.toString()).isEqualTo(3);
      assertThat(first.process.isAlive()).as("the first still runs: " + first).isTrue();
      assertThat(job.status("d5")).isEqualTo(JobStatus.RUNNING);
      assertThat(first.exitCode(TIMEOUT)).as(first.toString()).isZero();
      assertThat(sim.stats().users()).isEqualTo(300);
      assertThat(sim.stats().duplicateCreations()).isZero();
      assertThat(job.status("d5")).isEqualTo(JobStatus.FINISHED);
    }
  }

  @Test
  void aWorkerNeedsASharedStore() throws Exception {
    Ferry.Run run = Ferry.run(ENV, Ferry.args("worker", "d3", "--checkpoint-dir", dir.resolve("state").toString()));
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--store jdbc:postgresql://");
  }
}
