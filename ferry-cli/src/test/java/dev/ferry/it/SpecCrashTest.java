package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ChildFerry;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a child {@code ferry run} of a JSONL spec mid-way, then {@code ferry resume}: every row is created
 * exactly once (the simulator's stats) and is in the results file exactly once.
 */
class SpecCrashTest {
  static final String KEY = ImportUsersCliTest.KEY;
  static final int ROWS = 600;

  @TempDir
  Path dir;
  SimServer sim;
  Process child;

  @AfterEach
  void stop() throws InterruptedException {
    if (child != null && child.isAlive()) {
      child.destroyForcibly();
      child.waitFor();
    }
    if (sim != null) sim.close();
  }

  /** A batch step first (8 rows per call to a list endpoint: its answer is every row's), then one POST per row. */
  static final String WITH_BATCH = """
      source: { jsonl: { path: "${INPUT}" } }
      targets:
        workos:
          base_url: "${WORKOS_API_URL}"
          headers: { Authorization: "Bearer ${WORKOS_SECRET_KEY}" }
      steps:
        - name: page
          target: workos
          batch: { max_items: 8, linger: 20ms }
          request: { method: GET, path: "/user_management/users?limit={{ batch.size }}" }
          capture: { listed: "$.object" }
        - name: user
          target: workos
          request:
            method: POST
            path: /user_management/users
            body: { email: "{{ row.email }}", first_name: "{{ row.first_name }}" }
          idempotency_key: "user-{{ row.email }}"
          capture: { id: "$.id" }
      key: "{{ row.email }}"
      sink: { jsonl: { path: "${RESULTS}" } }
      """;

  @Test
  void everyRowOnceAcrossKillNineAndResume() throws Exception {
    everyRowOnce(SpecRunCliTest.spec(dir));
  }

  @Test
  void withABatchStepEveryRowOnceAcrossKillNineAndResume() throws Exception {
    Path spec = dir.resolve("batch.yaml");
    Files.writeString(spec, WITH_BATCH);
    everyRowOnce(spec);
    assertThat(Files.readString(dir.resolve("results.jsonl"))).contains("\"page\":{\"listed\":\"list\"}");
    assertThat(sim.stats().requestsTo("GET /user_management/users")).as("batches, not rows")
        .isPositive().isLessThan(ROWS / 2);
  }

  private void everyRowOnce(Path spec) throws Exception {
    // Given
    Path input = SpecRunCliTest.users(dir, ROWS);
    sim = SimServer.start(SimConfig.builder().port(0).requiredKey(KEY).latency(Duration.ofMillis(15)).seed(5).build());
    Map<String, String> env = SpecRunCliTest.env(dir, input, sim);
    Path state = dir.resolve("state");

    // When: a child runs the job and is killed once some users exist
    ChildFerry ferry = ChildFerry.start(dir, "run", env, List.of(), List.of("-XX:+UseSerialGC"),
        List.of("run", spec.toString(), "--job-id", "k1", "--checkpoint-dir", state.toString(), "--quiet",
            "--workers", "2", "--concurrency", "8", "--rate-limit", "none", "--chunk-size", "100"));
    child = ferry.process;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (sim.stats().usersCreated() < ROWS / 4) {
      try {
        child.onExit().get(2, TimeUnit.MILLISECONDS);
        fail("the run ended before it was killed: " + ferry);
      } catch (TimeoutException e) {
        // still running
      }
      if (System.nanoTime() > deadline) fail("no progress: " + ferry);
    }
    child.destroyForcibly();
    child.waitFor();
    long createdAtKill = sim.stats().usersCreated();
    assertThat(createdAtKill).isLessThan(ROWS);

    // When: resumed in this JVM
    Ferry.Run run = Ferry.run(env, "resume", "k1", "--checkpoint-dir", state.toString(), "--quiet", "--json");

    // Then
    assertThat(run.exit()).as(run.toString()).isEqualTo(1); // the malformed line
    JsonNode report = run.outJson();
    assertThat(report.path("status").asText()).isEqualTo("finished");
    assertThat(report.path("done").asLong()).isEqualTo(ROWS);
    assertThat(report.path("invalid").asLong()).isEqualTo(1);
    SimStats s = sim.stats();
    assertThat(s.usersCreated()).isEqualTo(ROWS);
    assertThat(s.users()).isEqualTo(ROWS);
    assertThat(s.duplicateCreations()).isZero();
    List<Long> rows = SpecRunCliTest.resultRows(dir);
    assertThat(rows).hasSize(ROWS).doesNotHaveDuplicates();
    assertThat(Files.readString(dir.resolve("results.jsonl"))).doesNotContain(KEY);
  }
}
