package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.spi.JobRecord;
import dev.ferry.core.spi.OutcomeCounts;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import dev.ferry.store.SqliteJobStore;
import dev.ferry.testing.ApiProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM and SIGINT on a real {@code ferry import-users} process: the first signal stops taking rows, lets the
 * rows in flight finish (or, past the grace period, leaves them for resume), saves state and exits 3; a second
 * signal ends the process at once. Either way {@code resume} finishes with every user created exactly once.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class InterruptTest {
  static final String KEY = "sk_test_interrupt";
  static final int ROWS = 300;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  SimServer sim;
  ApiProxy proxy;
  Path csv;

  @BeforeEach
  void start() throws Exception {
    sim = SimServer.start(SimConfig.builder().latency(Duration.ofMillis(50)).requiredKey(KEY).build());
    proxy = ApiProxy.start(sim.baseUrl());
    csv = StopConditionsTest.users(dir.resolve("users.csv"), ROWS);
  }

  @AfterEach
  void stop() {
    proxy.close();
    sim.close();
  }

  @Test
  void sigtermLetsRowsInFlightFinishSavesStateAndResumeIsExact() throws Exception {
    // Given: an import under way
    ChildFerry ferry = ChildFerry.start(dir, "import", Map.of(ApiKeys.ENV, KEY), importArgs("term", sim.baseUrl()));
    ferry.await("40 users", Duration.ofSeconds(60), () -> sim.stats().usersCreated() >= 40);

    // When: SIGTERM (what Process.destroy sends on Linux and macOS)
    ferry.process.destroy();

    // Then: exit 3, job STOPPED, and every user the API created is recorded as done (rows in flight finished)
    assertThat(ferry.exitCode(Duration.ofSeconds(30))).as(ferry.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(ferry.stderr()).contains("ferry: SIGTERM: stopping");
    assertThat(ferry.stdout()).contains("ferry: job term stopped in").contains("reason      interrupted (SIGTERM)");
    JobRecord job = job("term");
    assertThat(job.status().name()).isEqualTo("STOPPED");
    OutcomeCounts counts = counts("term");
    assertThat(counts.done()).isEqualTo(sim.stats().usersCreated()).isLessThan(ROWS);

    // When: resumed
    CliRun resumed = CliRun.run(Map.of(ApiKeys.ENV, KEY), resumeArgs("term"));

    // Then: only the rest is sent, each row once
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.OK);
    assertThat(JSON.readTree(resumed.out()).path("rows_this_run").asLong()).isEqualTo(ROWS - counts.done());
    SimStats s = sim.stats();
    assertThat(s.users()).isEqualTo(ROWS);
    assertThat(s.requestsTo("POST /user_management/users")).as("one create per row, none repeated").isEqualTo(ROWS);
    assertThat(s.duplicateCreations()).isZero();
  }

  @Test
  void rowsStillInFlightWhenTheGracePeriodEndsAreLeftForResume() throws Exception {
    // Given: an import through a proxy that starts holding every call (a hung API)
    List<String> args = importArgs("grace", proxy.baseUrl());
    args.addAll(List.of("--stop-grace", "1s"));
    ChildFerry ferry = ChildFerry.start(dir, "import", Map.of(ApiKeys.ENV, KEY), args);
    ferry.await("20 users", Duration.ofSeconds(60), () -> sim.stats().usersCreated() >= 20);
    proxy.hang(Duration.ofSeconds(120));
    ferry.await("calls held", Duration.ofSeconds(30), () -> proxy.held() >= 4);

    // When
    long sent = System.nanoTime();
    ferry.signal("TERM");

    // Then: it ends after the grace period, not after the hang, and says so
    assertThat(ferry.exitCode(Duration.ofSeconds(30))).as(ferry.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(20));
    assertThat(ferry.stderr()).containsPattern("grace period of 1\\.0s over: \\d+ rows still in flight get no outcome;"
        + " 'ferry resume grace' sends them again");
    assertThat(job("grace").status().name()).isEqualTo("STOPPED");
    assertThat(counts("grace").done()).isEqualTo(sim.stats().usersCreated());

    // When: the API answers again and the job is resumed
    proxy.forward();
    CliRun resumed = CliRun.run(Map.of(ApiKeys.ENV, KEY), resumeArgs("grace"));

    // Then
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.OK);
    assertThat(sim.stats().users()).isEqualTo(ROWS);
    assertThat(sim.stats().duplicateCreations()).isZero();
  }

  @Test
  void aSecondSigintStopsAtOnceAndResumeIsStillExact() throws Exception {
    // Given: an import whose rows in flight hang, with a long grace period
    List<String> args = importArgs("twice", proxy.baseUrl());
    args.addAll(List.of("--stop-grace", "60s"));
    ChildFerry ferry = ChildFerry.start(dir, "import", Map.of(ApiKeys.ENV, KEY), args);
    ferry.await("20 users", Duration.ofSeconds(60), () -> sim.stats().usersCreated() >= 20);
    proxy.hang(Duration.ofSeconds(120));
    ferry.await("calls held", Duration.ofSeconds(30), () -> proxy.held() >= 4);

    // When: Ctrl-C twice
    ferry.signal("INT");
    ferry.await("the first signal's message", Duration.ofSeconds(10), () -> ferry.stderr().contains("SIGINT: stopping"));
    Thread.sleep(Signals.Arrivals.SAME_REQUEST.toMillis() + 50); // a signal closer to the first is a copy of it
    long second = System.nanoTime();
    ferry.signal("INT");

    // Then: the process ends at once (not after the 60 s grace), with exit 3
    assertThat(ferry.exitCode(Duration.ofSeconds(30))).as(ferry.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(Duration.ofNanos(System.nanoTime() - second)).isLessThan(Duration.ofSeconds(10));
    assertThat(ferry.stderr()).contains("SIGINT: stopped at once");

    // When: the API answers again and the job is resumed
    proxy.forward();
    CliRun resumed = CliRun.run(Map.of(ApiKeys.ENV, KEY), resumeArgs("twice"));

    // Then: rows whose outcome was not yet written are sent again with their idempotency keys: nothing doubled
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(ExitCodes.OK);
    JsonNode report = JSON.readTree(resumed.out());
    assertThat(report.path("done").asLong()).isEqualTo(ROWS);
    SimStats s = sim.stats();
    assertThat(s.users()).isEqualTo(ROWS);
    assertThat(s.usersCreated()).isEqualTo(ROWS);
    assertThat(s.duplicateCreations()).isZero();
  }

  @Test
  void aSignalWhilePlanningEndsWithExit3AndTheSameCommandPlansAgain() throws Exception {
    // Given: a large input being planned
    Path big = dir.resolve("big.csv");
    dev.ferry.recipes.workos.UserCsvGenerator.write(big, 300_000, 0);
    List<String> args = List.of("import-users", "--csv", big.toString(), "--job-id", "plan", "--dry-run",
        "--progress", "never", "--json", "--checkpoint-dir", dir.resolve(".ferry").toString());
    ChildFerry ferry = ChildFerry.start(dir, "plan", Map.of(), args);
    ferry.await("planning", Duration.ofSeconds(60), () -> ferry.stderr().contains("planning job plan"));

    // When
    ferry.signal("INT");

    // Then
    assertThat(ferry.exitCode(Duration.ofSeconds(30))).as(ferry.toString()).isEqualTo(ExitCodes.STOPPED);
    assertThat(ferry.stderr()).contains("ferry: SIGINT: stopped while planning job plan; run the same command"
        + " again to plan it anew");

    // When: the same command again
    CliRun again = CliRun.run(Map.of(), args);

    // Then
    assertThat(again.exit()).as(again.toString()).isEqualTo(ExitCodes.OK);
    assertThat(JSON.readTree(again.out()).path("done").asLong()).isEqualTo(300_000);
  }

  private List<String> importArgs(String job, java.net.URI api) {
    return new ArrayList<>(List.of("import-users", "--csv", csv.toString(), "--job-id", job, "--api-url",
        api.toString(), "--rate-limit", "none", "--workers", "2", "--concurrency", "4", "--chunk-size", "50",
        "--quiet", "--checkpoint-dir", dir.resolve(".ferry").toString()));
  }

  private List<String> resumeArgs(String job) {
    return new ArrayList<>(List.of("resume", job, "--quiet", "--json", "--checkpoint-dir",
        dir.resolve(".ferry").toString()));
  }

  private JobRecord job(String id) {
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve(".ferry/ferry.db"))) {
      return store.findJob(id).orElseThrow();
    }
  }

  private OutcomeCounts counts(String id) {
    try (SqliteJobStore store = SqliteJobStore.open(dir.resolve(".ferry/ferry.db"))) {
      return store.counts(id);
    }
  }
}
